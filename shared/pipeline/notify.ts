import {
  type ClaimMode,
  channelEntry,
  claimed,
  type Deliveries,
  deliveriesOf,
  isClaimable,
  type SendOutcome,
  settled,
  summaryOf,
} from '../core/alerts/alert-deliveries.js';
import { alertOf } from '../core/alerts/alert-state.js';
import type { AlertRow } from '../core/schema/row.js';
import { timestampOf } from '../core/time/timestamp.js';
import type { AlertBook, AlertChannel, Clock } from './ports.js';

/** One channel's share of a run. */
export interface ChannelSummary {
  readonly channel: string;
  /** Alerts this channel confirmed (2xx) in this run. */
  readonly delivered: number;
  /** Alerts it refused or never reached: retried by any later run. */
  readonly failed: number;
  /** Alerts posted whose answer was lost: they may have landed, so they wait for `--unconfirmed`. */
  readonly unconfirmed: number;
  /** Alerts left alone: already confirmed, claimed by another run, or unconfirmed and not asked for. */
  readonly skipped: number;
}

export interface NotifySummary {
  /** Alerts every channel has confirmed after this run. */
  readonly delivered: number;
  /** Alerts some channel refused. */
  readonly failed: number;
  /** Alerts some channel may or may not have received (none refused). */
  readonly unconfirmed: number;
  readonly channels: readonly ChannelSummary[];
}

export interface NotifyOptions {
  /** `unconfirmed`: also resend posts whose answer was lost (`alerts retry --unconfirmed`). */
  readonly mode?: ClaimMode;
}

/** Writers racing on one alert retry their compare-and-set this often before leaving it to the others. */
const CLAIM_TRIES = 8;

type ChannelOutcome = 'delivered' | 'failed' | 'unconfirmed' | 'skipped';

const keyOf = (channel: AlertChannel) => channel.key ?? channel.name;

/**
 * The alert use case: sends each alert to each channel that has not confirmed its current count
 * (an update when the channel confirmed a smaller one), and records the outcome per channel. Each
 * post is claimed in the alerts table before it is sent, so concurrent runs never send the same
 * update twice; a channel that answered 2xx is never sent it again; a post whose answer was lost is
 * not resent blindly (it may have landed) but waits for an explicit `alerts retry --unconfirmed`.
 */
export async function notify(
  book: AlertBook,
  channels: readonly AlertChannel[],
  rows: readonly AlertRow[],
  clock: Clock,
  options: NotifyOptions = {},
): Promise<NotifySummary> {
  const mode = options.mode ?? 'due';
  const tallies = channels.map(() => ({
    delivered: 0,
    failed: 0,
    unconfirmed: 0,
    skipped: 0,
  }));
  let delivered = 0;
  let failed = 0;
  let unconfirmed = 0;
  if (channels.length === 0) return { delivered, failed, unconfirmed, channels: [] };
  const run: Run = { book, clock, mode, keys: channels.map(keyOf) };
  for (const first of rows) {
    let row = first;
    for (const [index, channel] of channels.entries()) {
      const result = await sendOnce(run, channel, row);
      row = result.row;
      tallies[index]![result.outcome]++;
    }
    if (row.status === 'delivered') delivered++;
    else if (row.status === 'failed') failed++;
    else if (row.status === 'unconfirmed') unconfirmed++;
  }
  return {
    delivered,
    failed,
    unconfirmed,
    channels: channels.map((channel, index) => ({ channel: channel.name, ...tallies[index]! })),
  };
}

/** What every step of one notify shares: the run's channel keys make up "every channel". */
interface Run {
  readonly book: AlertBook;
  readonly clock: Clock;
  readonly mode: ClaimMode;
  readonly keys: readonly string[];
}

/** Claims, sends and settles one (alert, channel); returns the row as last written or read. */
async function sendOnce(
  run: Run,
  channel: AlertChannel,
  start: AlertRow,
): Promise<{ readonly row: AlertRow; readonly outcome: ChannelOutcome }> {
  const key = keyOf(channel);
  const { row, won } = await claimFor(run, key, channel.name, start);
  if (!won) return { row, outcome: 'skipped' };
  // From the claimed row: `start` may be stale when the claim was won on a re-read.
  const previous = channelEntry(row, key)?.delivered_count ?? 0;
  const outcome = await send(channel, row, previous);
  return { row: await settle(run, key, row, outcome), outcome: outcome.kind };
}

async function send(channel: AlertChannel, row: AlertRow, previous: number): Promise<SendOutcome> {
  try {
    const result = await channel.send(alertOf(row), previous);
    const attempts = result.attempts ?? 1;
    if (result.ok) return { kind: 'delivered', attempts };
    const error = result.error ?? 'failed';
    return { kind: result.unconfirmed ? 'unconfirmed' : 'failed', attempts, error };
  } catch (error) {
    // A channel that throws mid-post cannot say whether the post went out.
    return { kind: 'unconfirmed', attempts: 1, error: `send threw ${(error as Error).name ?? 'an error'}` };
  }
}

/**
 * Writes the claim, re-reading after each lost compare-and-set: another writer may have changed
 * another channel (try again) or claimed this one (leave it). Returns the claimed row, or the row
 * last read when the post is left alone.
 */
async function claimFor(
  { book, clock, mode, keys }: Run,
  key: string,
  name: string,
  start: AlertRow,
): Promise<{ readonly row: AlertRow; readonly won: boolean }> {
  let row = start;
  for (let tries = 0; tries < CLAIM_TRIES; tries++) {
    const { claimable } = isClaimable(row, key, mode, clock.now());
    if (!claimable) return { row, won: false };
    const at = timestampOf(clock.now());
    const deliveries = claimed(row, key, name, at);
    const next = withDeliveries(row, deliveries, keys, at);
    if (await book.writeDeliveries(row.alert_id, deliveriesOf(row).revision, changeOf(next), at)) {
      return { row: next, won: true };
    }
    const fresh = await book.getAlert(row.alert_id);
    if (fresh === undefined || fresh.status === 'acked') return { row: fresh ?? row, won: false };
    row = fresh;
  }
  return { row, won: false };
}

/** Records the outcome of a claimed post; only this writer holds the claim, so it retries until written. */
async function settle(
  { book, clock, keys }: Run,
  key: string,
  claimedRow: AlertRow,
  outcome: SendOutcome,
): Promise<AlertRow> {
  let row = claimedRow;
  for (let tries = 0; ; tries++) {
    const at = timestampOf(clock.now());
    const stored = deliveriesOf(row);
    const next = withDeliveries(row, settled(stored, key, outcome, at), keys, at);
    if (await book.writeDeliveries(row.alert_id, stored.revision, changeOf(next), at)) return next;
    const fresh = await book.getAlert(row.alert_id);
    if (fresh === undefined || fresh.status === 'acked' || tries + 1 >= CLAIM_TRIES) {
      // Acknowledged (or gone) meanwhile: nothing more to record. Out of tries: the claim stays,
      // which reads as unconfirmed: never as delivered.
      return fresh ?? row;
    }
    row = fresh;
  }
}

function withDeliveries(
  row: AlertRow,
  deliveries: Deliveries,
  channelKeys: readonly string[],
  at: string,
): AlertRow {
  return { ...row, ...summaryOf(row, deliveries, channelKeys), deliveries, updated_at: at };
}

function changeOf(row: AlertRow) {
  return {
    deliveries: deliveriesOf(row),
    status: row.status,
    delivered_count: row.delivered_count,
    last_error: row.last_error,
  };
}
