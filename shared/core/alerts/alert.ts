export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * One incident: a rule's findings grouped by (rule, principal, subject) within a window. Every
 * string field may carry attacker-controlled text (an OIDC subject is whatever the token issuer
 * signed, a branch name can be `<!channel>`); renderers must make all of them inert.
 */
export interface Alert {
  /** Stable for the incident, so a replay or a redelivery updates it instead of alerting twice. */
  readonly alert_id: string;
  readonly rule: string;
  readonly severity: Severity;
  /** What happened, in one line. */
  readonly title: string;
  readonly principal: string | null;
  readonly subject: string | null;
  readonly identity_provider: string | null;
  readonly audience: string | null;
  readonly resource: string | null;
  readonly source_ip: string | null;
  readonly count: number;
  /** Canonical UTC timestamps. */
  readonly first_seen: string;
  readonly last_seen: string;
  readonly event_ids: readonly string[];
  /** The rule's short runbook: what to check, what to do. */
  readonly runbook: string;
  /** A ready command to investigate, e.g. `tokentrail query principals --subject '…'`. */
  readonly query: string;
}
