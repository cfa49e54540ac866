import type { NamedQuery } from '../queries/named-queries.js';
import { shellQuote } from '../render/shell-quote.js';

/** One stored record by event id, as JSON text: what the served page's raw link returns. */
export const RAW_EVENT: NamedQuery = {
  name: 'raw-event',
  description: 'the stored record of one event, as JSON text',
  params: ['event_id'],
  duckdb: 'SELECT CAST(raw AS VARCHAR) AS raw FROM events_unique WHERE event_id = $event_id LIMIT 1',
  bigquery: (dataset) =>
    `SELECT TO_JSON_STRING(raw) AS raw FROM \`${dataset}.events_unique\` WHERE event_id = @event_id LIMIT 1`,
};

/**
 * The command that prints an event's stored record, for the report (which has no server to ask).
 * The id comes from the logs: it is an SQL string literal inside one shell word.
 */
export function rawEventCommand(store: string, eventId: string): string {
  const sql = `SELECT raw FROM events WHERE event_id = '${eventId.replaceAll("'", "''")}'`;
  return `tokentrail query sql --store ${shellQuote(store)} ${shellQuote(sql)}`;
}
