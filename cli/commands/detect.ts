import { existsSync } from 'node:fs';
import { normalize } from 'node:path';
import { openStore, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import { stableId } from '../../shared/adapters/store/stable-id.js';
import { DEFAULT_STORE, type StoreLocation } from '../../shared/adapters/store/store-uri.js';
import { EMPTY_POLICY, type Policy } from '../../shared/core/detect/policy.js';
import type { IpRanges } from '../../shared/core/network/ip-ranges.js';
import { durationMs, type TimeRange, timeRange } from '../../shared/core/queries/time-range.js';
import { inertJson } from '../../shared/core/render/terminal-safe.js';
import type { AlertRow } from '../../shared/core/schema/row.js';
import { timestampOf } from '../../shared/core/time/timestamp.js';
import { detect } from '../../shared/pipeline/detect.js';
import { type NotifyOptions, notify } from '../../shared/pipeline/notify.js';
import type { AlertBook, AlertChannel } from '../../shared/pipeline/ports.js';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { ingestInputs } from '../consume-inputs.js';
import { decodeLimits } from '../input-options.js';

export interface DetectOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  readonly policy: Policy | null;
  readonly since?: string;
  readonly until?: string;
  readonly progress: boolean;
  readonly maxDecompressedBytes?: number;
  readonly channels: readonly AlertChannel[];
  /** Where `tokentrail ranges update` wrote the published ranges. */
  readonly rangesDirectory?: string;
  /** Judge the window in steps of this length (`1d`), as a schedule running that often would. */
  readonly step?: string;
}

/**
 * The window cut into consecutive steps of `stepMs`, the last one possibly shorter; the whole
 * window in one step without `stepMs`. Each step's rules see the store before it as their baseline.
 */
export function detectionSteps(range: TimeRange, stepMs?: number): TimeRange[] {
  const start = Date.parse(range.since);
  const end = Date.parse(range.until);
  if (stepMs === undefined || start + stepMs >= end) return [range];
  const bounds = [range.since];
  for (let at = start + stepMs; at < end; at += stepMs) bounds.push(timestampOf(new Date(at)));
  bounds.push(range.until);
  return bounds.slice(1).map((until, index) => ({ since: bounds[index]!, until }));
}

/** The store as an alert's ready query names it: `--store` unless it is the default store. */
export function storeForQueries(location: StoreLocation, description: string): string | undefined {
  return location.kind === 'duckdb' && normalize(location.path) === normalize(DEFAULT_STORE)
    ? undefined
    : description;
}

function stepLength(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = durationMs(text);
  if (ms === null)
    throw new UsageError(`--step ${JSON.stringify(text)}: use a length of time (1d, 12h, 30m)`);
  return ms;
}

/** The published ranges for the network rules; none (address blocks alone) when the directory is absent. */
async function rangesFor(directory: string | undefined, io: CliIo): Promise<IpRanges | undefined> {
  if (directory === undefined) return undefined;
  if (!existsSync(directory)) {
    io.stderr.write(
      `tokentrail: no published ranges in ${directory} (tokentrail ranges update): the network rules judge address blocks alone\n`,
    );
    return undefined;
  }
  const { loadIpRanges } = await import('../../shared/adapters/ranges/range-files.js');
  return loadIpRanges(directory);
}

/**
 * `tokentrail detect [FILE...]`: ingests the files (if any) into the store, runs the rules over the
 * window in event time, and prints one NDJSON line per alert. Exit 0 with or without alerts.
 */
export async function detectCommand(
  names: readonly string[],
  options: DetectOptions,
  io: CliIo,
): Promise<number> {
  const stepMs = stepLength(options.step);
  const store = await openStore(
    options.store,
    names.length > 0 ? options.storeOptions : { ...options.storeOptions, mustExist: true },
  );
  try {
    let failed = false;
    if (names.length > 0) {
      ({ failed } = await ingestInputs(
        store,
        names,
        { limits: decodeLimits(options.maxDecompressedBytes), progress: options.progress },
        io,
      ));
    }
    if (options.policy === null) {
      io.stderr.write(
        'tokentrail: no policy (--policy or TOKENTRAIL_POLICY): the checks against expected subjects and audiences are off\n',
      );
    }
    const range = timeRange({ since: options.since, until: options.until }, io.now());
    const steps = detectionSteps(range, stepMs);
    const ranges = await rangesFor(options.rangesDirectory, io);
    const queryStore = storeForQueries(options.store, store.description);
    let count = 0;
    const toDeliver = new Map<string, AlertRow>();
    for (const step of steps) {
      const alerts = await detect(store, {
        policy: options.policy ?? EMPTY_POLICY,
        range: step,
        idOf: stableId,
        ...(ranges ? { ranges } : {}),
        ...(queryStore === undefined ? {} : { store: queryStore }),
      });
      for (const alert of alerts) io.stdout.write(`${inertJson(alert)}\n`);
      count += alerts.length;
      for (const row of await store.recordAlerts(alerts, timestampOf(io.now())))
        toDeliver.set(row.alert_id, row);
    }
    const stepped = steps.length > 1 ? ` in ${steps.length} steps of ${options.step}` : '';
    io.stderr.write(
      `${count} alert(s) from ${range.since} to ${range.until}${stepped} in ${store.description}\n`,
    );
    const delivery = await deliverAlerts(store, options.channels, [...toDeliver.values()], io);
    return failed || !delivery ? EXIT.failure : EXIT.ok;
  } finally {
    await store.close();
  }
}

/**
 * Sends what waits for delivery and says how it went, channel by channel; false when some alert
 * was not confirmed by every channel (refused, or posted without an answer).
 */
export async function deliverAlerts(
  book: AlertBook,
  channels: readonly AlertChannel[],
  rows: readonly AlertRow[],
  io: CliIo,
  options: NotifyOptions = {},
): Promise<boolean> {
  if (channels.length === 0) {
    if (rows.length > 0)
      io.stderr.write(`${rows.length} alert(s) wait for delivery (no --webhook or TOKENTRAIL_WEBHOOKS)\n`);
    return true;
  }
  const summary = await notify(book, channels, rows, { now: () => io.now() }, options);
  for (const channel of summary.channels) {
    io.stderr.write(`delivered ${channel.delivered} alert(s) to ${channel.channel}\n`);
    if (channel.failed > 0) {
      io.stderr.write(
        `tokentrail: ${channel.channel}: ${channel.failed} alert(s) not delivered, kept for \`tokentrail alerts retry\` (see alerts list)\n`,
      );
    }
    if (channel.unconfirmed > 0) {
      io.stderr.write(
        `tokentrail: ${channel.channel}: ${channel.unconfirmed} alert(s) posted without an answer: they may have landed, so they are not sent again unless you run \`tokentrail alerts retry --unconfirmed\` (see alerts list --status unconfirmed)\n`,
      );
    }
  }
  return summary.failed === 0 && summary.unconfirmed === 0;
}
