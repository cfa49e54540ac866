import { deliveriesOf } from '../alerts/alert-deliveries.js';
import { inertJson } from '../render/terminal-safe.js';
import type { AlertRow } from '../schema/row.js';
import type { AccessRow } from './lineage.js';

/** One data access; `row` indexes the page's who-accessed rows, which carry its bucket, subjects and principal. */
export interface AccessEvent {
  readonly row: number;
  readonly event_time: string;
  readonly action: string | null;
  readonly outcome: string | null;
  readonly source_ip: string | null;
  readonly event_id: string;
}

export interface PageAlert {
  readonly alert_id: string;
  readonly rule: string;
  readonly severity: string;
  readonly title: string;
  readonly status: string;
  readonly subject: string | null;
  readonly principal: string | null;
  readonly count: number;
  readonly first_seen: string;
  readonly last_seen: string;
  /** Delivery state per channel (its name, never the webhook URL). */
  readonly channels: readonly { readonly channel: string; readonly state: string }[];
  readonly event_ids: readonly string[];
  readonly runbook: string;
  readonly query: string;
}

/** Everything the page draws: the window's who-accessed rows, their events and the alerts. */
export interface PageData {
  readonly window: { readonly since: string; readonly until: string };
  readonly store: string;
  readonly rows: readonly (AccessRow & {
    readonly actions: readonly string[];
    readonly first_seen: string;
    readonly last_seen: string;
  })[];
  readonly events: readonly AccessEvent[];
  /** True when the events were cut at the query's limit. */
  readonly eventsTruncated: boolean;
  readonly alerts: readonly PageAlert[];
  /** False in a static report: no acknowledging there. */
  readonly live: boolean;
}

function eventIdsOf(value: unknown): string[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

export function pageAlertOf(row: AlertRow): PageAlert {
  return {
    alert_id: row.alert_id,
    rule: row.rule,
    severity: row.severity,
    title: row.title,
    status: row.status,
    subject: row.subject ?? null,
    principal: row.principal ?? null,
    count: Number(row.count),
    first_seen: String(row.first_seen),
    last_seen: String(row.last_seen),
    channels: Object.values(deliveriesOf(row).channels).map((entry) => ({
      channel: entry.channel,
      state: entry.state,
    })),
    event_ids: eventIdsOf(row.event_ids),
    runbook: row.runbook,
    query: row.query,
  };
}

/**
 * Page data as text safe inside an HTML `<script type="application/json">`: no `<`, `>` or `&`
 * (so no `</script>` or comment can end it), and no invisible characters; it parses back exactly.
 */
export function pageDataJson(data: PageData): string {
  return inertJson(data).replace(
    /[<>&]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
