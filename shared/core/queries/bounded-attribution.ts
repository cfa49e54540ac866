import {
  CHAIN_DEPTH,
  chainAncestorsSelect,
  chainLinksSelect,
  chainRootsFrom,
  LINK_LOOKBACK_HOURS,
} from './chains.js';
import { ACCESS_COLUMNS, ATTRIBUTED_SELECT, mintsFrom } from './views.js';

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

/** Chains are followed up to CHAIN_DEPTH links of at most LINK_LOOKBACK_HOURS each. */
const CHAIN_LOOKBACK = `INTERVAL ${LINK_LOOKBACK_HOURS * CHAIN_DEPTH} HOUR`;

/**
 * The chain views for a window, for BigQuery, as CTEs of a `WITH RECURSIVE` (`chain_events`,
 * `chain_links`, `chain_up`, `chain_roots`): the events they read are bounded to the window and
 * the lookback a full chain can reach before it.
 */
export function boundedChainCtes(dataset: string, since: string, until: string): string {
  return `chain_events AS (
  SELECT * FROM \`${dataset}.events_unique\`
  WHERE event_time >= TIMESTAMP_SUB(${since}, ${CHAIN_LOOKBACK}) AND event_time < ${until}
),
chain_links AS (
${chainLinksSelect('chain_events')}
),
chain_up AS (
${chainAncestorsSelect('chain_links', 'chain_up')}
),
chain_roots AS (
${chainRootsFrom('chain_up', 'chain_events')}
)`;
}

/** The access view of a window as a CTE `access`, for BigQuery; after boundedChainCtes. */
export function boundedAccessCte(dataset: string, since: string, until: string): string {
  return `access AS (
  SELECT
${ACCESS_COLUMNS}
  FROM (
${boundedAttribution(dataset, since, until, "\n  AND used.category = 'data_access'")}
  ) AS attributed
  LEFT JOIN chain_roots AS roots
    ON roots.event_id = attributed.event_id
)`;
}
