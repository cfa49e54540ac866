import type { AlertStatus } from '../schema/alert-columns.js';
import type { AlertRow } from '../schema/row.js';

/**
 * Delivery state per (alert, channel), kept in the alerts table's `deliveries` column. A post is
 * claimed (state `sending`) by a compare-and-set on `revision` before it is sent, so two
 * invocations cannot both send the same update; its outcome is then settled the same way.
 */
const DELIVERY_STATES = ['sending', 'delivered', 'failed', 'unconfirmed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface ChannelDelivery {
  /** The channel's name for messages (kind and host, never the webhook URL). */
  readonly channel: string;
  readonly state: DeliveryState;
  /** The incident's count in the message being sent or last sent. */
  readonly count: number;
  /** The count the channel last confirmed with a 2xx answer; 0 before the first. */
  readonly delivered_count: number;
  /** Posts made to this channel for this incident, all updates together. */
  readonly attempts: number;
  readonly last_error: string | null;
  readonly delivered_at: string | null;
  readonly updated_at: string;
}

export interface Deliveries {
  /** Bumped by every write; a writer whose revision is stale lost the race. */
  readonly revision: number;
  /** By channel key (kind and a digest of the URL: two webhooks on one host stay apart). */
  readonly channels: Readonly<Record<string, ChannelDelivery>>;
}

const NO_DELIVERIES: Deliveries = { revision: 0, channels: {} };

/**
 * A `sending` claim older than this is taken for a sender that died mid-post: its post may have
 * landed, so only an explicit `alerts retry --unconfirmed` takes it over. Longer than a delivery's
 * retries can last (5 attempts of 10 s with at most 30 s between them).
 */
export const SENDING_LEASE_MS = 15 * 60_000;

/** `due`: new, grown and failed posts. `unconfirmed`: those and the posts that may have landed. */
export type ClaimMode = 'due' | 'unconfirmed';

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly attempts: number }
  | { readonly kind: 'failed' | 'unconfirmed'; readonly attempts: number; readonly error: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stored column (JSON text, an object, or null for rows from before it existed). */
export function deliveriesOf(row: Pick<AlertRow, 'deliveries'>): Deliveries {
  const value: unknown = typeof row.deliveries === 'string' ? JSON.parse(row.deliveries) : row.deliveries;
  if (value === null || value === undefined) return NO_DELIVERIES;
  if (!isObject(value) || !Number.isSafeInteger(value.revision) || !isObject(value.channels)) {
    throw new Error(`deliveries is not {revision, channels}: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return value as unknown as Deliveries;
}

/**
 * The channel's entry. A row from before per-channel state has none: its `delivered_count`, when
 * set, was confirmed by every channel of that time, so it stands for a delivered entry.
 */
export function channelEntry(row: AlertRow, key: string): ChannelDelivery | undefined {
  const deliveries = deliveriesOf(row);
  const entry = deliveries.channels[key];
  if (entry !== undefined || deliveries.revision > 0 || row.delivered_count <= 0) return entry;
  return {
    channel: key,
    state: 'delivered',
    count: row.delivered_count,
    delivered_count: row.delivered_count,
    attempts: 0,
    last_error: null,
    delivered_at: null,
    updated_at: row.updated_at,
  };
}

/** Whether the channel should be sent the row's current count now. */
export function isClaimable(
  row: AlertRow,
  key: string,
  mode: ClaimMode,
  now: Date,
): { readonly claimable: boolean; readonly reason?: 'delivered' | 'unconfirmed' | 'in-flight' } {
  const entry = channelEntry(row, key);
  if (entry === undefined) return { claimable: true };
  if (entry.delivered_count >= row.count) return { claimable: false, reason: 'delivered' };
  if (entry.state === 'failed' || entry.state === 'delivered') return { claimable: true };
  // sending or unconfirmed: a post of entry.count may have landed. A larger count is another update.
  if (row.count > entry.count) return { claimable: true };
  if (entry.state === 'sending' && now.getTime() - Date.parse(entry.updated_at) < SENDING_LEASE_MS) {
    return { claimable: false, reason: 'in-flight' };
  }
  return mode === 'unconfirmed' ? { claimable: true } : { claimable: false, reason: 'unconfirmed' };
}

/** The deliveries with the channel claimed for the row's current count. */
export function claimed(row: AlertRow, key: string, name: string, at: string): Deliveries {
  const deliveries = deliveriesOf(row);
  const before = channelEntry(row, key);
  const entry: ChannelDelivery = {
    channel: name,
    state: 'sending',
    count: row.count,
    delivered_count: before?.delivered_count ?? 0,
    attempts: before?.attempts ?? 0,
    last_error: before?.last_error ?? null,
    delivered_at: before?.delivered_at ?? null,
    updated_at: at,
  };
  return { revision: deliveries.revision + 1, channels: { ...deliveries.channels, [key]: entry } };
}

/** The deliveries with the outcome of the channel's claimed post. */
export function settled(deliveries: Deliveries, key: string, outcome: SendOutcome, at: string): Deliveries {
  const entry = deliveries.channels[key];
  if (entry === undefined) throw new Error(`no claim for channel ${key} to settle`);
  const attempts = entry.attempts + outcome.attempts;
  const next: ChannelDelivery =
    outcome.kind === 'delivered'
      ? {
          ...entry,
          state: 'delivered',
          delivered_count: Math.max(entry.delivered_count, entry.count),
          attempts,
          last_error: null,
          delivered_at: at,
          updated_at: at,
        }
      : { ...entry, state: outcome.kind, attempts, last_error: outcome.error, updated_at: at };
  return { revision: deliveries.revision + 1, channels: { ...deliveries.channels, [key]: next } };
}

/** The row's summary columns as they follow from its deliveries. */
export interface DeliverySummary {
  readonly status: AlertStatus;
  readonly delivered_count: number;
  readonly last_error: string | null;
}

/**
 * A failed channel makes the alert `failed` (retried by any run); else one whose post may have
 * landed (or is being sent) makes it `unconfirmed`; it is `delivered` when every channel (those
 * with an entry, and `channelKeys`, the run's) confirmed its current count; `pending` otherwise.
 * Acknowledged stays acknowledged.
 */
export function summaryOf(
  row: AlertRow,
  deliveries: Deliveries,
  channelKeys: readonly string[] = [],
): DeliverySummary {
  const entries = Object.values(deliveries.channels);
  const unsent = channelKeys.some((key) => deliveries.channels[key] === undefined);
  const delivered_count =
    entries.length === 0 ? row.delivered_count : Math.min(...entries.map((entry) => entry.delivered_count));
  const errors = entries
    .filter((entry) => entry.state === 'failed' || entry.state === 'unconfirmed')
    .map((entry) => `${entry.channel}: ${entry.last_error ?? entry.state}`);
  const last_error = errors.length === 0 ? null : errors.join('; ');
  const status: AlertStatus =
    row.status === 'acked'
      ? 'acked'
      : entries.some((entry) => entry.state === 'failed')
        ? 'failed'
        : entries.some((entry) => entry.state === 'unconfirmed' || entry.state === 'sending')
          ? 'unconfirmed'
          : entries.length > 0 && !unsent && delivered_count >= row.count
            ? 'delivered'
            : 'pending';
  return { status, delivered_count, last_error };
}
