import { boundedAttribution, CHAIN_LOOKBACK } from './bounded-attribution.js';
import { windowChainCtes } from './chains.js';
import type { NamedQuery } from './named-queries.js';

/**
 * What detection reads from a store: one window of attributed events in event-time order (so late
 * files are judged by when things happened, not when they arrived), and the baseline before it.
 */
const ATTRIBUTED_COLUMNS = `event_id, event_time, cloud, source, action, category, outcome, error_code, error_message,
  principal, subject, issuer, identity_provider, audience, resource, bucket, object, credential_id,
  source_ip, user_agent, account, region, binding_deltas, trust`;

export const EVENTS_IN_WINDOW: NamedQuery = {
  name: 'events-in-window',
  description: 'attributed events of a window, oldest first',
  params: ['since', 'until'],
  duckdb: `SELECT ${ATTRIBUTED_COLUMNS}
FROM events_attributed
WHERE event_time >= CAST($since AS TIMESTAMPTZ) AND event_time < CAST($until AS TIMESTAMPTZ)
ORDER BY event_time, event_id`,
  bigquery: (dataset) =>
    `${boundedAttribution(dataset, 'TIMESTAMP(@since)', 'TIMESTAMP(@until)', '')}
ORDER BY event_time, event_id`,
};

export const BASELINE_PRINCIPAL_SUBJECTS: NamedQuery = {
  name: 'baseline-principal-subjects',
  description: 'the (principal, subject) pairs of successful exchanges in the baseline period',
  params: ['since', 'until'],
  duckdb: `SELECT DISTINCT principal AS left_value, subject AS right_value
FROM events_attributed
WHERE category IN ('token_exchange', 'impersonation') AND outcome = 'success'
  AND event_time >= CAST($since AS TIMESTAMPTZ) AND event_time < CAST($until AS TIMESTAMPTZ)`,
  // Exchanges carry their own subject, so BigQuery skips the attribution join here.
  bigquery: (dataset) => `SELECT DISTINCT principal AS left_value, subject AS right_value
FROM \`${dataset}.events_unique\`
WHERE category IN ('token_exchange', 'impersonation') AND outcome = 'success'
  AND event_time >= TIMESTAMP(@since) AND event_time < TIMESTAMP(@until)`,
};

export const BASELINE_SUBJECT_BUCKETS: NamedQuery = {
  name: 'baseline-subject-buckets',
  description: 'the (subject, bucket) pairs of successful data access in the baseline period',
  params: ['since', 'until'],
  // events_attributed, not the access view: the pairs need no chain roots, which cost the view
  // more than twice the time on 1M rows.
  duckdb: `SELECT DISTINCT subject AS left_value, bucket AS right_value
FROM events_attributed
WHERE category = 'data_access' AND outcome = 'success' AND subject IS NOT NULL
  AND event_time >= CAST($since AS TIMESTAMPTZ) AND event_time < CAST($until AS TIMESTAMPTZ)`,
  bigquery: (dataset) => `SELECT DISTINCT subject AS left_value, bucket AS right_value
FROM (
${boundedAttribution(dataset, 'TIMESTAMP(@since)', 'TIMESTAMP(@until)', "\n  AND used.category = 'data_access' AND used.outcome = 'success'")}
)
WHERE subject IS NOT NULL`,
};

/** Each principal's trust as the last successful change before the window set it. */
export const TRUSTS_BEFORE: NamedQuery = {
  name: 'trusts-before',
  description: "each principal's trust as the last successful trust change before the window set it",
  params: ['until'],
  duckdb: `SELECT principal, event_time, trust FROM (
  SELECT principal, event_time, trust,
    row_number() OVER (PARTITION BY principal ORDER BY event_time DESC, event_id DESC) AS position
  FROM events
  WHERE category = 'trust_change' AND outcome = 'success' AND trust IS NOT NULL AND principal IS NOT NULL
    AND event_time < CAST($until AS TIMESTAMPTZ)
) AS latest
WHERE position = 1`,
  bigquery: (dataset) => `SELECT principal, event_time, trust FROM (
  SELECT principal, event_time, trust,
    ROW_NUMBER() OVER (PARTITION BY principal ORDER BY event_time DESC, event_id DESC) AS position
  FROM \`${dataset}.events_unique\`
  WHERE category = 'trust_change' AND outcome = 'success' AND trust IS NOT NULL AND principal IS NOT NULL
    AND event_time < TIMESTAMP(@until)
) AS latest
WHERE position = 1`,
};

/** Every successful trust or grant change up to a time, oldest first: what trust scan folds offline. */
export const TRUST_HISTORY: NamedQuery = {
  name: 'trust-history',
  description: 'successful trust and federated grant changes, oldest first',
  params: ['until'],
  duckdb: `SELECT cloud, principal, resource, action, event_time, trust, binding_deltas
FROM events
WHERE category = 'trust_change' AND outcome = 'success' AND (trust IS NOT NULL OR binding_deltas IS NOT NULL)
  AND event_time < CAST($until AS TIMESTAMPTZ)
ORDER BY event_time, event_id`,
  bigquery: (dataset) => `SELECT cloud, principal, resource, action, event_time, trust, binding_deltas
FROM \`${dataset}.events_unique\`
WHERE category = 'trust_change' AND outcome = 'success' AND (trust IS NOT NULL OR binding_deltas IS NOT NULL)
  AND event_time < TIMESTAMP(@until)
ORDER BY event_time, event_id`,
};

const MINT_FILTER = `outcome = 'success'
  AND ((category = 'token_exchange' AND credential_id IS NOT NULL)
    OR (category = 'impersonation' AND action = 'GenerateAccessToken'))`;

/**
 * Credentials minted from a while before the window to its end (AWS exchanges with their access
 * key, GCP GenerateAccessToken), oldest first: what the credential-use rules compare uses with.
 */
export const MINTS_AROUND: NamedQuery = {
  name: 'mints-around',
  description:
    'successful credential mints (AWS exchanges with an access key, GCP GenerateAccessToken), oldest first',
  params: ['since', 'until'],
  duckdb: `SELECT DISTINCT event_id, event_time, cloud, action, principal, subject, credential_id, credential_expiration, source_ip
FROM events
WHERE ${MINT_FILTER}
  AND event_time >= CAST($since AS TIMESTAMPTZ) AND event_time < CAST($until AS TIMESTAMPTZ)
ORDER BY event_time, event_id`,
  bigquery: (
    dataset,
  ) => `SELECT event_id, event_time, cloud, action, principal, subject, credential_id, credential_expiration, source_ip
FROM \`${dataset}.events_unique\`
WHERE ${MINT_FILTER}
  AND event_time >= TIMESTAMP(@since) AND event_time < TIMESTAMP(@until)
ORDER BY event_time, event_id`,
};

const CHAINED_IN_WINDOW = (since: string) => `SELECT event_id, root_subject FROM chain_roots
WHERE event_id IN (
  SELECT event_id FROM chain_events
  WHERE event_time >= ${since} AND category IN ('token_exchange', 'impersonation')
)`;

/**
 * The root subject (first external identity) of each exchange and impersonation in the window
 * that continues a chain (an AWS role session exchanged at GCP, a service account's ID token used
 * at AWS): what unexpected-subject judges beside the immediate subject.
 */
export const CHAIN_ROOTS_IN_WINDOW: NamedQuery = {
  name: 'chain-roots-in-window',
  description: 'the root subject of each chained exchange or impersonation in a window',
  params: ['since', 'until'],
  duckdb: `WITH RECURSIVE ${windowChainCtes('events_unique', `CAST($since AS TIMESTAMPTZ) - ${CHAIN_LOOKBACK}`, 'CAST($until AS TIMESTAMPTZ)')}
${CHAINED_IN_WINDOW('CAST($since AS TIMESTAMPTZ)')}`,
  bigquery: (
    dataset,
  ) => `WITH RECURSIVE ${windowChainCtes(`\`${dataset}.events_unique\``, `TIMESTAMP_SUB(TIMESTAMP(@since), ${CHAIN_LOOKBACK})`, 'TIMESTAMP(@until)')}
${CHAINED_IN_WINDOW('TIMESTAMP(@since)')}`,
};

export const HISTORY_START: NamedQuery = {
  name: 'history-start',
  description: 'the oldest event time in the store',
  params: [],
  duckdb: 'SELECT min(event_time) AS history_start FROM events',
  bigquery: (dataset) => `SELECT MIN(event_time) AS history_start FROM \`${dataset}.events\``,
};

export const DETECTION_QUERIES: readonly NamedQuery[] = [
  EVENTS_IN_WINDOW,
  BASELINE_PRINCIPAL_SUBJECTS,
  BASELINE_SUBJECT_BUCKETS,
  TRUSTS_BEFORE,
  TRUST_HISTORY,
  MINTS_AROUND,
  CHAIN_ROOTS_IN_WINDOW,
  HISTORY_START,
];
