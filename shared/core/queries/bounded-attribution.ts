import { ATTRIBUTED_SELECT, mintsFrom } from './views.js';

/**
 * Attributed events of a time window, for BigQuery. A query there is billed by the bytes it scans,
 * and the `events_attributed` view looks mints up over all history; this reads `events_unique`
 * with both sides bounded instead: credentials minted by AssumeRoleWithWebIdentity live at most
 * 12 hours, so a mint for an event in the window lies in the window or the 12 hours before it.
 * (DuckDB reads the view: it has nothing to bill.) `since` and `until` are SQL timestamp
 * expressions; `where` adds conditions on `used`.
 */
const MINT_LOOKBACK = 'INTERVAL 12 HOUR';

export function boundedAttribution(dataset: string, since: string, until: string, where: string): string {
  const events = `\`${dataset}.events_unique\``;
  return `WITH mint AS (
${mintsFrom(events, `\n    AND event_time >= TIMESTAMP_SUB(${since}, ${MINT_LOOKBACK}) AND event_time < ${until}`)}
)
SELECT
${ATTRIBUTED_SELECT}
FROM ${events} AS used
LEFT JOIN mint ON mint.credential_id = used.credential_id
WHERE used.event_time >= ${since} AND used.event_time < ${until}${where}`;
}
