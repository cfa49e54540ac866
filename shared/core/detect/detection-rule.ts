import type { Severity } from '../alerts/alert.js';
import type { NetworkJudge } from '../network/network-judge.js';
import type { Row } from '../schema/row.js';
import type { Finding } from './finding.js';
import type { Policy } from './policy.js';
import type { ConditionJudge } from './trusts.js';

/**
 * What the store knew before the window under review: the pairs seen in the baseline period, and
 * when the store's history starts (rules that learn stay quiet until they have enough of it).
 */
export interface Baseline {
  /** Keys `principal \u0000 subject` seen in the baseline period. */
  readonly principalSubjects: ReadonlySet<string>;
  /** Keys `subject \u0000 bucket` seen in the baseline period. */
  readonly subjectBuckets: ReadonlySet<string>;
  /** The oldest event time in the store, or null when it is empty. */
  readonly historyStart: string | null;
  /** The start of the window under review (canonical UTC). */
  readonly windowStart: string;
  /**
   * Each principal's trust (the `trust` column) as the last successful trust change before the
   * window set it, and when; absent where the store holds none.
   */
  readonly trustsBefore?: ReadonlyMap<string, { readonly event_time: string; readonly trust: unknown }>;
  /**
   * Credentials minted from a while before the window to its end (see MINTS_BEFORE_WINDOW_HOURS),
   * oldest first, so a use in the window can be compared with a mint that fell before it.
   */
  readonly mints?: readonly Mint[];
  /**
   * For exchanges and impersonations in the window that continue a cross-cloud chain, the chain's
   * root subject (the first external identity), by event id.
   */
  readonly rootSubjects?: ReadonlyMap<string, string>;
}

/** A minted credential: an AWS exchange's access key, or a GCP service account token. */
export interface Mint {
  readonly event_id: string;
  readonly event_time: string;
  readonly cloud: string;
  readonly principal: string | null;
  readonly subject: string | null;
  readonly credential_id: string | null;
  readonly credential_expiration: string | null;
  readonly source_ip: string | null;
}

/** AWS role sessions last at most 12 hours: no use in the window can come from an older mint. */
export const MINTS_BEFORE_WINDOW_HOURS = 12;

export interface RuleContext {
  readonly policy: Policy;
  readonly baseline: Baseline;
  /** Evaluates GCP attribute conditions; without it rules judge only a condition's absence. */
  readonly conditions?: ConditionJudge;
  /**
   * The network model, with the published cloud and CI ranges when loaded; without it the network
   * rules stay quiet.
   */
  readonly network?: NetworkJudge;
}

/**
 * A detection: attributed rows of one window in (ordered by event_time), findings out. Pure: the
 * store, the clock and the policy file reach it only through the context.
 */
export interface DetectionRule {
  readonly id: string;
  readonly severity: Severity;
  /**
   * `event`: judges each row on its own (with the policy), so it can run on any batch as it
   * arrives, inside an ingest function. `window`: needs a window of rows or the baseline, so it
   * runs on a schedule against the store.
   */
  readonly scope: 'event' | 'window';
  /** What to check and what to do, in a sentence or two. */
  readonly runbook: string;
  evaluate(rows: readonly Row[], context: RuleContext): Finding[];
}

export function pairKey(left: string | null, right: string | null): string {
  return `${left ?? ''}\u0000${right ?? ''}`;
}

/** The finding fields every rule copies from the row the same way. */
export function findingOf(
  rule: DetectionRule,
  row: Row,
  title: string,
  severity: Severity = rule.severity,
): Finding {
  return {
    rule: rule.id,
    severity,
    title,
    event_id: row.event_id,
    event_time: row.event_time,
    principal: row.principal,
    subject: row.subject,
    identity_provider: row.identity_provider,
    audience: row.audience,
    resource: row.resource,
    source_ip: row.source_ip,
  };
}

export function isExchange(row: Row): boolean {
  return row.category === 'token_exchange' || row.category === 'impersonation';
}
