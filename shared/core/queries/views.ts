import { chainLinksSelect, chainRootsSelect } from './chains.js';

/**
 * The views both stores define. Their SQL is the common subset of DuckDB and BigQuery, written
 * once over a table reference; the named queries (named-queries.ts) differ per dialect and are
 * spelled out side by side.
 */
export interface ViewSpec {
  readonly name: string;
  readonly description: string;
  /** The SELECT, given how to refer to a table or view of the same store. */
  select(table: (name: string) => string): string;
}

/**
 * The columns of an attributed event: the event (`used`) with subject, issuer, provider and
 * audience taken from the exchange (`mint`) that minted its credentials where it lacks them.
 */
export const ATTRIBUTED_SELECT = `  used.event_id,
  used.event_time,
  used.cloud,
  used.source,
  used.action,
  used.category,
  used.outcome,
  used.error_code,
  used.error_message,
  used.principal,
  COALESCE(used.subject, mint.subject) AS subject,
  COALESCE(used.issuer, mint.issuer) AS issuer,
  COALESCE(used.identity_provider, mint.identity_provider) AS identity_provider,
  COALESCE(used.audience, mint.audience) AS audience,
  used.resource,
  used.bucket,
  used.object,
  used.credential_id,
  used.source_ip,
  used.user_agent,
  used.account,
  used.region,
  used.binding_deltas,
  used.trust`;

/** The `mint` side: successful exchanges that minted credentials, from `table`, with `and` conditions. */
export function mintsFrom(table: string, and = ''): string {
  return `  SELECT event_id, credential_id, subject, issuer, identity_provider, audience
  FROM ${table}
  WHERE category = 'token_exchange' AND outcome = 'success' AND credential_id IS NOT NULL${and}`;
}

/**
 * Every event with its external subject filled in. AWS calls made with minted credentials carry
 * only the access key; the subject comes from the AssumeRoleWithWebIdentity that minted it. The
 * join happens at query time, so it holds whichever of the two events was ingested first (S3
 * trail files lag minutes behind EventBridge). GCP events carry their subject already.
 * `minted_by` names the exchange that minted the credentials (an exchange names itself).
 * The join is a plain equality so both engines hash it; a condition on the outer side in ON
 * made DuckDB fall back to a nested-loop join (35 s instead of milliseconds on 1M rows).
 */
export const ATTRIBUTED_VIEW: ViewSpec = {
  name: 'events_attributed',
  description:
    'tokentrail: every event, with subject, identity provider and issuer taken from the exchange that minted its credentials.',
  select: (table) => `SELECT
${ATTRIBUTED_SELECT},
  mint.event_id AS minted_by
FROM ${table('events_unique')} AS used
LEFT JOIN (
${mintsFrom(table('events_unique'))}
) AS mint
  ON mint.credential_id = used.credential_id`,
};

/** Each event's link to the event that minted the credential it acted with (chains.ts). */
export const CHAIN_LINKS_VIEW: ViewSpec = {
  name: 'chain_links',
  description:
    'tokentrail: each event linked to the event that minted the token or session it acted with, across clouds (link: aws-session, gcp-id-token, gcp-federated, gcp-sa-token); AWS calls made with a minted key name it in events_attributed.minted_by.',
  select: (table) => chainLinksSelect(table('events_unique')),
};

/** Each linked event's root subject, the first external identity up its chain. */
export const CHAIN_ROOTS_VIEW: ViewSpec = {
  name: 'chain_roots',
  description:
    'tokentrail: each linked event with the root subject of its chain (the first external identity, e.g. the GitHub subject behind an AWS role session that became a GCP service account).',
  select: (table) => chainRootsSelect(table('chain_links'), table('events_unique')),
};

/**
 * The access columns, read from an attributed event `attributed`, its chain root `roots` and its
 * minting exchange's `mint_roots` (an AWS data event's chain goes on from the exchange that minted
 * its key): root_subject is the chain's first external identity, the immediate subject when there
 * is no chain.
 */
export const ACCESS_COLUMNS = `  attributed.event_time,
  attributed.cloud,
  attributed.bucket,
  attributed.object,
  attributed.action,
  attributed.outcome,
  attributed.error_code,
  COALESCE(roots.root_subject, mint_roots.root_subject, attributed.subject) AS root_subject,
  attributed.subject,
  attributed.principal,
  attributed.identity_provider,
  attributed.issuer,
  attributed.credential_id,
  attributed.source_ip,
  attributed.user_agent,
  attributed.account,
  attributed.event_id`;

/** Who accessed which bucket: data access, attributed. The view both stores answer from. */
export const ACCESS_VIEW: ViewSpec = {
  name: 'access',
  description:
    'tokentrail: who accessed which bucket, each data access with its external subject and the root subject of its chain.',
  select: (table) => `SELECT
${ACCESS_COLUMNS},
  attributed.minted_by
FROM ${table('events_attributed')} AS attributed
LEFT JOIN ${table('chain_roots')} AS roots
  ON roots.event_id = attributed.event_id
LEFT JOIN ${table('chain_roots')} AS mint_roots
  ON mint_roots.event_id = attributed.minted_by
WHERE attributed.category = 'data_access'`,
};

/** The who-accessed answer over all time, for dashboards and saved queries. */
export const WHO_ACCESSED_VIEW: ViewSpec = {
  name: 'who_accessed',
  description:
    'tokentrail: one row per (bucket, root subject, subject, principal) over all time, with how often and when.',
  select: (table) => `SELECT
  cloud,
  bucket,
  root_subject,
  subject,
  principal,
  COUNT(*) AS access_count,
  COUNTIF(outcome = 'failure') AS failures,
  MIN(event_time) AS first_seen,
  MAX(event_time) AS last_seen
FROM ${table('access')}
GROUP BY cloud, bucket, root_subject, subject, principal`,
};

/** In dependency order. */
export const VIEWS: readonly ViewSpec[] = [
  ATTRIBUTED_VIEW,
  CHAIN_LINKS_VIEW,
  CHAIN_ROOTS_VIEW,
  ACCESS_VIEW,
  WHO_ACCESSED_VIEW,
];
