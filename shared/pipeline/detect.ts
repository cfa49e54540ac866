import type { Alert } from '../core/alerts/alert.js';
import { groupFindings } from '../core/alerts/group-findings.js';
import {
  type Baseline,
  type DetectionRule,
  MINTS_BEFORE_WINDOW_HOURS,
  type Mint,
  pairKey,
} from '../core/detect/detection-rule.js';
import type { Policy } from '../core/detect/policy.js';
import { RULES } from '../core/detect/rules.js';
import { runRules } from '../core/detect/run-rules.js';
import type { IpRanges } from '../core/network/ip-ranges.js';
import {
  BASELINE_PRINCIPAL_SUBJECTS,
  BASELINE_SUBJECT_BUCKETS,
  CHAIN_ROOTS_IN_WINDOW,
  EVENTS_IN_WINDOW,
  HISTORY_START,
  MINTS_AROUND,
  TRUSTS_BEFORE,
} from '../core/queries/detection-queries.js';
import type { NamedQuery } from '../core/queries/named-queries.js';
import type { QueryCell } from '../core/queries/query-result.js';
import type { TimeRange } from '../core/queries/time-range.js';
import { COLUMNS } from '../core/schema/columns.js';
import type { Row } from '../core/schema/row.js';
import { timestampOf } from '../core/time/timestamp.js';
import { conditionJudgeFor } from './condition-judge.js';
import { loadNetworkJudge } from './network-judge.js';
import type { EventStore } from './ports.js';

export const DEFAULT_BASELINE_DAYS = 14;

export interface DetectRequest {
  readonly policy: Policy;
  readonly range: TimeRange;
  /** How far back before the window the first-seen rules look. */
  readonly baselineDays?: number;
  readonly rules?: readonly DetectionRule[];
  /** A stable id for an incident key (SHA-256 in the adapters). */
  readonly idOf: (key: string) => string;
  /** The published cloud and CI address ranges, for the network rules. */
  readonly ranges?: IpRanges;
  /** The store as the alerts' ready queries should name it (`--store`); absent for the default store. */
  readonly store?: string;
}

const text = (cell: QueryCell | undefined): string | null => (typeof cell === 'string' ? cell : null);

function mintOf(cells: Readonly<Record<string, QueryCell>>): Mint {
  return {
    event_id: text(cells.event_id) ?? '',
    event_time: text(cells.event_time) ?? '',
    cloud: text(cells.cloud) ?? '',
    principal: text(cells.principal),
    subject: text(cells.subject),
    credential_id: text(cells.credential_id),
    credential_expiration: text(cells.credential_expiration),
    source_ip: text(cells.source_ip),
  };
}

function asRow(cells: Readonly<Record<string, QueryCell>>): Row {
  const row: Record<string, unknown> = {};
  for (const column of COLUMNS) row[column.name] = cells[column.name] ?? null;
  row.raw = null; // detection reads the attributed columns only
  return row as Row;
}

async function pairs(store: EventStore, query: NamedQuery, range: TimeRange) {
  const result = await store.query(query, { ...range });
  return new Set(
    result.rows.map((row) => pairKey(row.left_value as string | null, row.right_value as string | null)),
  );
}

/**
 * The detect use case: reads one window of attributed events and the baseline before it from the
 * store, runs the rules, and groups the findings into alerts (one per incident).
 */
export async function detect(store: EventStore, request: DetectRequest): Promise<Alert[]> {
  const { range, policy } = request;
  const baselineDays = request.baselineDays ?? DEFAULT_BASELINE_DAYS;
  const baselineRange = {
    since: timestampOf(new Date(Date.parse(range.since) - baselineDays * 86_400_000)),
    until: range.since,
  };
  // One after another: a DuckDB connection runs one statement at a time anyway.
  const events = await store.query(EVENTS_IN_WINDOW, { ...range });
  const principalSubjects = await pairs(store, BASELINE_PRINCIPAL_SUBJECTS, baselineRange);
  const subjectBuckets = await pairs(store, BASELINE_SUBJECT_BUCKETS, baselineRange);
  const trusts = await store.query(TRUSTS_BEFORE, { until: range.since });
  const history = await store.query(HISTORY_START, {});
  const roots = await store.query(CHAIN_ROOTS_IN_WINDOW, { ...range });
  const mints = await store.query(MINTS_AROUND, {
    since: timestampOf(new Date(Date.parse(range.since) - MINTS_BEFORE_WINDOW_HOURS * 3_600_000)),
    until: range.until,
  });
  const baseline: Baseline = {
    principalSubjects,
    subjectBuckets,
    historyStart: (history.rows[0]?.history_start as string | null | undefined) ?? null,
    windowStart: range.since,
    mints: mints.rows.map(mintOf),
    rootSubjects: new Map(
      roots.rows.flatMap((row) =>
        typeof row.event_id === 'string' && typeof row.root_subject === 'string'
          ? [[row.event_id, row.root_subject] as const]
          : [],
      ),
    ),
    trustsBefore: new Map(
      trusts.rows.map((row) => [
        row.principal as string,
        { event_time: row.event_time as string, trust: row.trust },
      ]),
    ),
  };
  const rules = request.rules ?? RULES;
  const rows = events.rows.map(asRow);
  const findings = runRules(rules, rows, {
    policy,
    baseline,
    conditions: await conditionJudgeFor(rows),
    network: await loadNetworkJudge(request.ranges),
  });
  return groupFindings(findings, {
    idOf: request.idOf,
    runbooks: Object.fromEntries(rules.map((rule) => [rule.id, rule.runbook])),
    ...(request.store === undefined ? {} : { store: request.store }),
  });
}
