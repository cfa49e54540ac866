import type { Alert } from '../core/alerts/alert.js';
import type { Policy } from '../core/detect/policy.js';
import type { IpRanges } from '../core/network/ip-ranges.js';
import { timestampOf } from '../core/time/timestamp.js';
import { detect } from './detect.js';
import { type NotifySummary, notify } from './notify.js';
import type { AlertBook, AlertChannel, Clock, EventStore } from './ports.js';

/** CloudTrail files arrive about 5 minutes late (not guaranteed); audit logs within a minute or two. */
export const DEFAULT_LOOKBACK_MS = 2 * 3_600_000;

export interface ScheduledDetectContext {
  readonly store: EventStore & AlertBook;
  readonly channels: readonly AlertChannel[];
  readonly policy: Policy;
  readonly clock: Clock;
  readonly idOf: (key: string) => string;
  /** The published cloud and CI address ranges, loaded when first needed. */
  readonly ranges?: () => Promise<IpRanges>;
  /** How far back in event time each run looks; runs overlap, and the alerts table merges them. */
  readonly lookbackMs?: number;
  readonly baselineDays?: number;
}

export interface ScheduledDetectResult {
  readonly since: string;
  readonly until: string;
  readonly alerts: readonly Alert[];
  readonly notified: NotifySummary;
}

/**
 * The use case behind the scheduled function (EventBridge schedule, Cloud Scheduler): every rule
 * over the last `lookbackMs` of event time, so events that arrived late since the previous run are
 * judged too; then everything the alerts table holds for delivery is sent, which retries what an
 * earlier run or an ingest function failed to deliver.
 */
export async function scheduledDetect(context: ScheduledDetectContext): Promise<ScheduledDetectResult> {
  const now = context.clock.now();
  const range = {
    since: timestampOf(new Date(now.getTime() - (context.lookbackMs ?? DEFAULT_LOOKBACK_MS))),
    until: timestampOf(now),
  };
  const alerts = await detect(context.store, {
    policy: context.policy,
    range,
    idOf: context.idOf,
    store: context.store.description,
    ...(context.ranges ? { ranges: await context.ranges() } : {}),
    ...(context.baselineDays === undefined ? {} : { baselineDays: context.baselineDays }),
  });
  // recordAlerts answers with every alert that needs delivering: no second read of the table.
  const toDeliver = await context.store.recordAlerts(alerts, timestampOf(now));
  const notified = await notify(context.store, context.channels, toDeliver, context.clock);
  return { ...range, alerts, notified };
}
