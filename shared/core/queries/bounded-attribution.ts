import { CHAIN_DEPTH, LINK_LOOKBACK_HOURS, windowChainCtes } from './chains.js';
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

export function boundedAttribution(
  dataset: string,
  since: string,
  until: string,
  where: string,
  withMintedBy = false,
): string {
  const events = `\`${dataset}.events_unique\``;
  return `WITH mint AS (
${mintsFrom(events, `\n    AND event_time >= TIMESTAMP_SUB(${since}, ${MINT_LOOKBACK}) AND event_time < ${until}`)}
)
SELECT
${ATTRIBUTED_SELECT}${withMintedBy ? ',\n  mint.event_id AS minted_by' : ''}
FROM ${events} AS used
LEFT JOIN mint ON mint.credential_id = used.credential_id
WHERE used.event_time >= ${since} AND used.event_time < ${until}${where}`;
}

/** Chains are followed up to CHAIN_DEPTH links of at most LINK_LOOKBACK_HOURS each. */
export const CHAIN_LOOKBACK = `INTERVAL ${LINK_LOOKBACK_HOURS * CHAIN_DEPTH} HOUR`;

/**
 * The window's data access with its chain root, as a CTE `access` after windowChainCtes;
 * `attributed` is a subquery of the window's attributed data access, with `minted_by`.
 */
export function accessCte(attributed: string): string {
  return `access AS (
  SELECT
${ACCESS_COLUMNS},
    attributed.minted_by
  FROM ${attributed} AS attributed
  LEFT JOIN chain_roots AS roots
    ON roots.event_id = attributed.event_id
  LEFT JOIN chain_roots AS mint_roots
    ON mint_roots.event_id = attributed.minted_by
)`;
}

/** The chain and access CTEs of a window, for BigQuery (`since`, `until` SQL timestamps). */
export function boundedChainAccessCtes(dataset: string, since: string, until: string): string {
  return `${windowChainCtes(`\`${dataset}.events_unique\``, `TIMESTAMP_SUB(${since}, ${CHAIN_LOOKBACK})`, until)},
${accessCte(`(
${boundedAttribution(dataset, since, until, "\n  AND used.category = 'data_access'", true)}
  )`)}`;
}
