import type { AlertStatus } from '../schema/alert-columns.js';
import type { AlertRow } from '../schema/row.js';
import type { Alert } from './alert.js';

type DeliveryColumns = 'status' | 'delivered_count' | 'last_error' | 'updated_at' | 'deliveries';

function fieldsOf(alert: Alert): Omit<AlertRow, DeliveryColumns> {
  return {
    alert_id: alert.alert_id,
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    principal: alert.principal,
    subject: alert.subject,
    identity_provider: alert.identity_provider,
    audience: alert.audience,
    resource: alert.resource,
    source_ip: alert.source_ip,
    count: alert.count,
    first_seen: alert.first_seen,
    last_seen: alert.last_seen,
    event_ids: [...alert.event_ids],
    runbook: alert.runbook,
    query: alert.query,
  };
}

// Canonical UTC timestamps (fixed width) sort as text in time order.

/**
 * What the alerts table should hold after a run saw `alert`: a new incident is pending; one that
 * gained events since it was stored is pending again (delivered as an update), unless
 * acknowledged; one seen again with nothing new is left exactly as it was, so replays never alert
 * twice. Events are merged as a set, so runs over overlapping windows or separate batches (an
 * ingest function alerting on each delivery) add up to the same incident. Stores write a merged
 * row without deliveries, delivered_count and last_error: those belong to the senders.
 */
export function mergeAlert(stored: AlertRow | undefined, alert: Alert, at: string): AlertRow {
  if (stored === undefined) {
    return {
      ...fieldsOf(alert),
      status: 'pending',
      delivered_count: 0,
      last_error: null,
      updated_at: at,
      deliveries: null,
    };
  }
  const storedIds = Array.isArray(stored.event_ids) ? (stored.event_ids as string[]) : [];
  const eventIds = [...new Set([...storedIds, ...alert.event_ids])];
  if (eventIds.length <= stored.count) return stored;
  const status: AlertStatus = stored.status === 'acked' ? 'acked' : 'pending';
  return {
    ...stored,
    ...fieldsOf(alert),
    count: eventIds.length,
    event_ids: eventIds,
    first_seen: [alert.first_seen, stored.first_seen].sort()[0]!,
    last_seen: [alert.last_seen, stored.last_seen].sort()[1]!,
    status,
    updated_at: at,
  };
}

/** Whether any run sends it; `unconfirmed` is sent only when asked (`alerts retry --unconfirmed`). */
export function needsDelivery(row: AlertRow): boolean {
  return row.status === 'pending' || row.status === 'failed';
}

/** The stored row back as the Alert renderers take. */
export function alertOf(row: AlertRow): Alert {
  return { ...row, event_ids: Array.isArray(row.event_ids) ? (row.event_ids as string[]) : [] };
}
