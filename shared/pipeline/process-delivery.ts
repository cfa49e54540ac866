import type { Alert } from '../core/alerts/alert.js';
import { groupFindings } from '../core/alerts/group-findings.js';
import type { DetectionRule } from '../core/detect/detection-rule.js';
import type { Finding } from '../core/detect/finding.js';
import type { Policy } from '../core/detect/policy.js';
import { needsRanges } from '../core/detect/rules/exchange-from-unexpected-network/exchange-from-unexpected-network.js';
import { EVENT_RULES } from '../core/detect/rules.js';
import { runRules } from '../core/detect/run-rules.js';
import type { IpRanges } from '../core/network/ip-ranges.js';
import type { Row } from '../core/schema/row.js';
import { timestampOf } from '../core/time/timestamp.js';
import type { DecodedItem } from '../sources/decoded-item.js';
import { conditionJudgeFor } from './condition-judge.js';
import { IngestRun, type IngestSummary } from './ingest.js';
import { loadNetworkJudge } from './network-judge.js';
import { type NotifySummary, notify } from './notify.js';
import type { AlertBook, AlertChannel, Clock, EventStore } from './ports.js';

/** What a serverless trigger needs, wired once per cold start. */
export interface DeliveryContext {
  readonly store: EventStore & AlertBook;
  readonly channels: readonly AlertChannel[];
  readonly policy: Policy;
  readonly clock: Clock;
  /** A stable id for an incident key (SHA-256 in the adapters). */
  readonly idOf: (key: string) => string;
  /** The per-event rules to run on each delivery (default: every rule whose scope is `event`). */
  readonly rules?: readonly DetectionRule[];
  /** The published cloud and CI address ranges, loaded only for a delivery a rule judges with them. */
  readonly ranges?: () => Promise<IpRanges>;
}

export interface DeliveryResult {
  readonly ingest: IngestSummary;
  readonly alerts: readonly Alert[];
  readonly notified: NotifySummary;
}

/** A delivery's outcome as flat counts, for the invoking function's log line. */
export interface DeliveryCounts {
  readonly rows: number;
  readonly written: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly quarantined: number;
  readonly skipped_by: Readonly<Record<string, number>>;
  readonly rejected_by: Readonly<Record<string, number>>;
  readonly alerts: number;
  readonly alerts_delivered: number;
  readonly alerts_failed: number;
  /** Posted with no answer: they may have landed, and wait for `alerts retry --unconfirmed`. */
  readonly alerts_unconfirmed: number;
}

export function deliveryCounts({ ingest, alerts, notified }: DeliveryResult): DeliveryCounts {
  return {
    rows: ingest.rows,
    written: ingest.written,
    duplicates: ingest.duplicates,
    skipped: ingest.skipped,
    quarantined: ingest.quarantined,
    skipped_by: ingest.skippedBy as Record<string, number>,
    rejected_by: ingest.rejectedBy as Record<string, number>,
    alerts: alerts.length,
    alerts_delivered: notified.delivered,
    alerts_failed: notified.failed,
    alerts_unconfirmed: notified.unconfirmed,
  };
}

// Event-scoped rules judge each row with the policy alone; they never read the baseline.
const NO_BASELINE = {
  principalSubjects: new Set<string>(),
  subjectBuckets: new Set<string>(),
  historyStart: null,
  windowStart: '',
};

/**
 * The use case behind every ingest function: one delivery (an EventBridge event, an S3 object, a
 * Pub/Sub message) is normalized into the store, its malformed records quarantined, and the
 * per-event rules run on its rows; their alerts are recorded (merged with what the alerts table
 * holds, so redelivery never alerts twice) and sent. A store failure rejects, so the trigger
 * retries; a chat failure does not: the alert stays `failed` for the scheduled run to resend.
 */
export async function processDelivery(
  context: DeliveryContext,
  input: string,
  batches: AsyncIterable<readonly DecodedItem[]> | Iterable<readonly DecodedItem[]>,
): Promise<DeliveryResult> {
  const rules = context.rules ?? EVENT_RULES;
  const findings: Finding[] = [];
  const tap = {
    write: async (rows: readonly Row[]) => {
      const conditions = await conditionJudgeFor(rows);
      const network =
        context.ranges && needsRanges(rows, context.policy)
          ? await loadNetworkJudge(await context.ranges())
          : undefined;
      const ruleContext = {
        policy: context.policy,
        baseline: NO_BASELINE,
        conditions,
        ...(network ? { network } : {}),
      };
      for (const finding of runRules(rules, rows, ruleContext)) {
        findings.push(finding);
      }
    },
  };
  const run = new IngestRun(context.store, context.clock, tap);
  await run.consume(input, batches);
  await run.finish();

  const alerts = groupFindings(findings, {
    idOf: context.idOf,
    runbooks: Object.fromEntries(rules.map((rule) => [rule.id, rule.runbook])),
    store: context.store.description,
  });
  const toDeliver =
    alerts.length > 0 ? await context.store.recordAlerts(alerts, timestampOf(context.clock.now())) : [];
  const fresh = new Set(alerts.map((alert) => alert.alert_id));
  const notified = await notify(
    context.store,
    context.channels,
    toDeliver.filter((row) => fresh.has(row.alert_id)),
    context.clock,
  );
  return { ingest: run.summary(), alerts, notified };
}
