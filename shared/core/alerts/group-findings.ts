import type { Finding } from '../detect/finding.js';
import { pushTo } from '../multimap.js';
import { shellQuote } from '../render/shell-quote.js';
import { type Alert, SEVERITIES } from './alert.js';

export const INCIDENT_WINDOW_MS = 86_400_000;

export interface GroupOptions {
  /** Runbooks by rule id. */
  readonly runbooks: Readonly<Record<string, string>>;
  /** A stable, collision-resistant id for a grouping key (SHA-256 in the adapters). */
  readonly idOf: (key: string) => string;
  readonly windowMs?: number;
  /**
   * The store the findings came from, as `--store` takes it (`duckdb:PATH`, `bigquery://P/D`), so the
   * ready query reads the same store; absent for the default store, which needs no flag.
   */
  readonly store?: string;
}

function investigateCommand(finding: Finding, store: string | undefined): string {
  const storeFlag = store === undefined ? '' : ` --store ${shellQuote(store)}`;
  if (finding.subject !== null)
    return `tokentrail query principals --subject ${shellQuote(finding.subject)} --since 30d${storeFlag}`;
  if (finding.principal !== null)
    return `tokentrail query subjects --principal ${shellQuote(finding.principal)} --since 30d${storeFlag}`;
  return `tokentrail query failures --since 7d${storeFlag}`;
}

/**
 * One alert per incident: findings of the same (rule, principal, subject) in the same fixed window
 * of event time (a UTC day by default). Windows are fixed rather than sliding so an incident's id
 * does not depend on which range a run looked at: a replay finds the same ids.
 */
export function groupFindings(findings: readonly Finding[], options: GroupOptions): Alert[] {
  const windowMs = options.windowMs ?? INCIDENT_WINDOW_MS;
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const windowStart = Math.floor(Date.parse(finding.event_time) / windowMs) * windowMs;
    const key = [finding.rule, finding.principal ?? '', finding.subject ?? '', String(windowStart)].join(
      '\u0000',
    );
    pushTo(groups, key, finding);
  }
  const alerts: Alert[] = [];
  for (const [key, group] of groups) {
    const ordered = [...group].sort((a, b) => a.event_time.localeCompare(b.event_time));
    const first = ordered[0]!;
    const last = ordered.at(-1)!;
    const severity = ordered.reduce(
      (worst, finding) =>
        SEVERITIES.indexOf(finding.severity) > SEVERITIES.indexOf(worst) ? finding.severity : worst,
      first.severity,
    );
    alerts.push({
      alert_id: options.idOf(key),
      rule: first.rule,
      severity,
      title: last.title,
      principal: first.principal,
      subject: first.subject,
      identity_provider: last.identity_provider,
      audience: last.audience,
      resource: last.resource,
      source_ip: last.source_ip,
      count: new Set(ordered.map((finding) => finding.event_id)).size,
      first_seen: first.event_time,
      last_seen: last.event_time,
      event_ids: [...new Set(ordered.map((finding) => finding.event_id))],
      runbook: options.runbooks[first.rule] ?? '',
      query: investigateCommand(first, options.store),
    });
  }
  return alerts.sort((a, b) => a.first_seen.localeCompare(b.first_seen) || a.rule.localeCompare(b.rule));
}
