import {
  accessCte,
  boundedAttribution,
  boundedChainAccessCtes,
  CHAIN_LOOKBACK,
} from './bounded-attribution.js';
import { CHAIN_DEPTH, windowChainCtes } from './chains.js';

const DUCKDB_SINCE = 'CAST($since AS TIMESTAMPTZ)';
const DUCKDB_UNTIL = 'CAST($until AS TIMESTAMPTZ)';

/** The chain and access CTEs of the window, for DuckDB: the views' SQL, read over the window only. */
const DUCKDB_CHAIN_ACCESS = `${windowChainCtes('events_unique', `${DUCKDB_SINCE} - ${CHAIN_LOOKBACK}`, DUCKDB_UNTIL)},
${accessCte(`(
    SELECT * FROM events_attributed
    WHERE category = 'data_access' AND event_time >= ${DUCKDB_SINCE} AND event_time < ${DUCKDB_UNTIL}
  )`)}`;

/**
 * The questions tokentrail answers, each spelled for both stores side by side. User input never
 * reaches the SQL text: patterns and times arrive as parameters (`$name` in DuckDB, `@name` in
 * BigQuery), all strings; timestamps are canonical UTC and cast in SQL, patterns are anchored RE2.
 * The DuckDB text runs in tests on a real DuckDB file; the BigQuery text is parsed with a
 * BigQuery grammar, and `npm run schema:generate` writes it to infra/bigquery/queries/.
 */
export interface NamedQuery {
  readonly name: string;
  readonly description: string;
  readonly params: readonly string[];
  readonly duckdb: string;
  /** The BigQuery text for a dataset, `project.dataset` or a bare dataset name. */
  bigquery(dataset: string): string;
}

export type QueryParams = Readonly<Record<string, string>>;

export const WHO_ACCESSED: NamedQuery = {
  name: 'who-accessed',
  description:
    'one line per (bucket, root subject, subject, principal): actions, count, failures, first and last seen',
  params: ['bucket', 'since', 'until'],
  duckdb: `WITH RECURSIVE ${DUCKDB_CHAIN_ACCESS}
SELECT
  cloud,
  bucket,
  root_subject,
  subject,
  principal,
  array_agg(DISTINCT action ORDER BY action) AS actions,
  count(*) AS count,
  countif(outcome = 'failure') AS failures,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM access
WHERE regexp_matches(bucket, $bucket)
GROUP BY cloud, bucket, root_subject, subject, principal
ORDER BY bucket, count DESC, root_subject NULLS LAST, subject NULLS LAST, principal`,
  bigquery: (
    dataset,
  ) => `WITH RECURSIVE ${boundedChainAccessCtes(dataset, 'TIMESTAMP(@since)', 'TIMESTAMP(@until)')}
SELECT
  cloud,
  bucket,
  root_subject,
  subject,
  principal,
  ARRAY_AGG(DISTINCT action ORDER BY action) AS actions,
  COUNT(*) AS count,
  COUNTIF(outcome = 'failure') AS failures,
  MIN(event_time) AS first_seen,
  MAX(event_time) AS last_seen
FROM access
WHERE REGEXP_CONTAINS(bucket, @bucket)
GROUP BY cloud, bucket, root_subject, subject, principal
ORDER BY bucket, count DESC, root_subject IS NULL, root_subject, subject IS NULL, subject, principal`,
};

/**
 * The chain's hops, from the end (`depth` 0, a data access) up its links (an AWS data event's first
 * through `minted_by`), numbered from the root. `links` and `events` name the CTEs, views or
 * tables to read; `access` and `ends` are CTEs of the window's data access and the ones that end the
 * events that end the chains. `chain` is the last hop's event id, and comes last: it groups the
 * lines of one chain without widening the table.
 */
function chainHops(links: string, events: string): string {
  return `hop_links AS (
  SELECT event_id, parent_event_id FROM ${links}
  UNION ALL
  SELECT event_id, minted_by FROM access WHERE minted_by IS NOT NULL
),
hops AS (
  SELECT chain, 0 AS depth, chain AS event_id FROM ends
  UNION ALL
  SELECT hops.chain, hops.depth + 1, links.parent_event_id
  FROM hops
  JOIN hop_links AS links ON links.event_id = hops.event_id
  WHERE hops.depth < ${CHAIN_DEPTH}
)
SELECT
  MAX(hops.depth) OVER (PARTITION BY hops.chain) - hops.depth + 1 AS hop,
  event.cloud,
  CASE WHEN event.category = 'data_access' THEN event.resource ELSE event.principal END AS identity,
  event.action,
  event.subject,
  event.event_id,
  event.event_time,
  ends.root_subject,
  ends.chain
FROM hops
JOIN ends ON ends.chain = hops.chain
JOIN ${events} AS event ON event.event_id = hops.event_id
ORDER BY ends.chain_time, ends.chain, hop`;
}

export const CHAIN: NamedQuery = {
  name: 'chain',
  description:
    'each data access with the chain of identities behind it, one line per hop from the root subject: hop, cloud, identity, action, subject, event id, time',
  params: ['subject', 'bucket', 'since', 'until'],
  duckdb: `WITH RECURSIVE ${DUCKDB_CHAIN_ACCESS},
ends AS (
  SELECT event_id AS chain, event_time AS chain_time, root_subject
  FROM access
  WHERE regexp_matches(bucket, $bucket)
    AND (regexp_matches(root_subject, $subject) OR regexp_matches(subject, $subject))
),
${chainHops('chain_links', 'chain_events')}`,
  bigquery: (
    dataset,
  ) => `WITH RECURSIVE ${boundedChainAccessCtes(dataset, 'TIMESTAMP(@since)', 'TIMESTAMP(@until)')},
ends AS (
  SELECT event_id AS chain, event_time AS chain_time, root_subject
  FROM access
  WHERE REGEXP_CONTAINS(bucket, @bucket)
    AND (REGEXP_CONTAINS(root_subject, @subject) OR REGEXP_CONTAINS(subject, @subject))
),
${chainHops('chain_links', 'chain_events')}`,
};

export const SUBJECTS: NamedQuery = {
  name: 'subjects',
  description: 'the external subjects that became a principal (token exchanges and impersonations)',
  params: ['principal', 'since', 'until'],
  duckdb: `SELECT
  principal,
  subject,
  identity_provider,
  count(*) AS count,
  countif(outcome = 'failure') AS failures,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM events
WHERE category IN ('token_exchange', 'impersonation')
  AND regexp_matches(principal, $principal)
  AND event_time >= CAST($since AS TIMESTAMPTZ)
  AND event_time < CAST($until AS TIMESTAMPTZ)
GROUP BY principal, subject, identity_provider
ORDER BY principal, count DESC, subject NULLS LAST`,
  bigquery: (dataset) => `SELECT
  principal,
  subject,
  identity_provider,
  COUNT(*) AS count,
  COUNTIF(outcome = 'failure') AS failures,
  MIN(event_time) AS first_seen,
  MAX(event_time) AS last_seen
FROM \`${dataset}.events_unique\`
WHERE category IN ('token_exchange', 'impersonation')
  AND REGEXP_CONTAINS(principal, @principal)
  AND event_time >= TIMESTAMP(@since)
  AND event_time < TIMESTAMP(@until)
GROUP BY principal, subject, identity_provider
ORDER BY principal, count DESC, subject IS NULL, subject`,
};

export const PRINCIPALS: NamedQuery = {
  name: 'principals',
  description: 'the cloud principals an external subject became (token exchanges and impersonations)',
  params: ['subject', 'since', 'until'],
  duckdb: `SELECT
  subject,
  cloud,
  principal,
  identity_provider,
  count(*) AS count,
  countif(outcome = 'failure') AS failures,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM events
WHERE category IN ('token_exchange', 'impersonation')
  AND regexp_matches(subject, $subject)
  AND event_time >= CAST($since AS TIMESTAMPTZ)
  AND event_time < CAST($until AS TIMESTAMPTZ)
GROUP BY subject, cloud, principal, identity_provider
ORDER BY subject, count DESC, principal NULLS LAST`,
  bigquery: (dataset) => `SELECT
  subject,
  cloud,
  principal,
  identity_provider,
  COUNT(*) AS count,
  COUNTIF(outcome = 'failure') AS failures,
  MIN(event_time) AS first_seen,
  MAX(event_time) AS last_seen
FROM \`${dataset}.events_unique\`
WHERE category IN ('token_exchange', 'impersonation')
  AND REGEXP_CONTAINS(subject, @subject)
  AND event_time >= TIMESTAMP(@since)
  AND event_time < TIMESTAMP(@until)
GROUP BY subject, cloud, principal, identity_provider
ORDER BY subject, count DESC, principal IS NULL, principal`,
};

export const FAILURES: NamedQuery = {
  name: 'failures',
  description: 'failed exchanges, impersonations and denied data access, grouped by cause',
  params: ['since', 'until'],
  duckdb: `SELECT
  cloud,
  action,
  error_code,
  subject,
  principal,
  count(*) AS count,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen,
  any_value(error_message) AS example_message
FROM events_attributed
WHERE outcome = 'failure'
  AND event_time >= CAST($since AS TIMESTAMPTZ)
  AND event_time < CAST($until AS TIMESTAMPTZ)
GROUP BY cloud, action, error_code, subject, principal
ORDER BY count DESC, last_seen DESC`,
  bigquery: (dataset) => `SELECT
  cloud,
  action,
  error_code,
  subject,
  principal,
  COUNT(*) AS count,
  MIN(event_time) AS first_seen,
  MAX(event_time) AS last_seen,
  ANY_VALUE(error_message) AS example_message
FROM (
${boundedAttribution(dataset, 'TIMESTAMP(@since)', 'TIMESTAMP(@until)', "\n  AND used.outcome = 'failure'")}
)
GROUP BY cloud, action, error_code, subject, principal
ORDER BY count DESC, last_seen DESC`,
};

export const EXCHANGE_SUBJECTS: NamedQuery = {
  name: 'exchange-subjects',
  description:
    'one line per (principal, subject, audience) of successful token exchanges and impersonations: count, first and last seen',
  params: ['since', 'until'],
  duckdb: `SELECT
  principal,
  subject,
  audience,
  count(*) AS count,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM events
WHERE category IN ('token_exchange', 'impersonation')
  AND outcome = 'success'
  AND principal IS NOT NULL
  AND subject IS NOT NULL
  AND event_time >= CAST($since AS TIMESTAMPTZ)
  AND event_time < CAST($until AS TIMESTAMPTZ)
GROUP BY principal, subject, audience
ORDER BY principal, subject, audience NULLS FIRST`,
  bigquery: (dataset) => `SELECT
  principal,
  subject,
  audience,
  COUNT(*) AS count,
  MIN(event_time) AS first_seen,
  MAX(event_time) AS last_seen
FROM \`${dataset}.events_unique\`
WHERE category IN ('token_exchange', 'impersonation')
  AND outcome = 'success'
  AND principal IS NOT NULL
  AND subject IS NOT NULL
  AND event_time >= TIMESTAMP(@since)
  AND event_time < TIMESTAMP(@until)
GROUP BY principal, subject, audience
ORDER BY principal, subject, audience IS NOT NULL, audience`,
};

export const NAMED_QUERIES: readonly NamedQuery[] = [
  WHO_ACCESSED,
  SUBJECTS,
  PRINCIPALS,
  FAILURES,
  EXCHANGE_SUBJECTS,
  CHAIN,
];
