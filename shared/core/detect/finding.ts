import type { Severity } from '../alerts/alert.js';

/** One event a rule flags. Findings group into alerts by (rule, principal, subject). */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** What happened, in one line, written by the rule (untrusted values only where unavoidable). */
  readonly title: string;
  readonly event_id: string;
  readonly event_time: string;
  readonly principal: string | null;
  readonly subject: string | null;
  readonly identity_provider: string | null;
  readonly audience: string | null;
  readonly resource: string | null;
  readonly source_ip: string | null;
}
