import { accessCte, boundedChainAccessCtes, CHAIN_LOOKBACK } from '../queries/bounded-attribution.js';
import { windowChainCtes } from '../queries/chains.js';
import type { NamedQuery } from '../queries/named-queries.js';

/** The page lists an edge's events from these; a report keeps the newest this many. */
export const ACCESS_EVENTS_LIMIT = 5000;

const SINCE = 'CAST($since AS TIMESTAMPTZ)';
const UNTIL = 'CAST($until AS TIMESTAMPTZ)';

const COLUMNS = `
  event_time,
  bucket,
  root_subject,
  subject,
  principal,
  action,
  outcome,
  source_ip,
  event_id`;

/**
 * Each data access of the window with its chain root, newest first: what the lineage page lists
 * when an edge is clicked. Kept beside the page (not in the CLI's named queries) since only the
 * page asks it; its access CTE is the one who-accessed reads, so the two agree row for row.
 */
export const ACCESS_EVENTS: NamedQuery = {
  name: 'access-events',
  description:
    'each data access of the window: time, bucket, subjects, principal, action, outcome, source IP',
  params: ['bucket', 'since', 'until'],
  duckdb: `WITH RECURSIVE ${windowChainCtes('events_unique', `${SINCE} - ${CHAIN_LOOKBACK}`, UNTIL)},
${accessCte(`(
    SELECT * FROM events_attributed
    WHERE category = 'data_access' AND event_time >= ${SINCE} AND event_time < ${UNTIL}
  )`)}
SELECT${COLUMNS}
FROM access
WHERE regexp_matches(bucket, $bucket)
ORDER BY event_time DESC, event_id
LIMIT ${ACCESS_EVENTS_LIMIT}`,
  bigquery: (
    dataset,
  ) => `WITH RECURSIVE ${boundedChainAccessCtes(dataset, 'TIMESTAMP(@since)', 'TIMESTAMP(@until)')}
SELECT${COLUMNS}
FROM access
WHERE REGEXP_CONTAINS(bucket, @bucket)
ORDER BY event_time DESC, event_id
LIMIT ${ACCESS_EVENTS_LIMIT}`,
};
