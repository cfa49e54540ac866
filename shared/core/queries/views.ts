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

/** Who accessed which bucket: data access, attributed. The view both stores answer from. */
export const ACCESS_VIEW: ViewSpec = {
  name: 'access',
  description: 'tokentrail: who accessed which bucket, each data access with its external subject.',
  select: (table) => `SELECT
  event_time,
  cloud,
  bucket,
  object,
  action,
  outcome,
  error_code,
  subject,
  principal,
  identity_provider,
  issuer,
  credential_id,
  source_ip,
  user_agent,
  account,
  event_id,
  minted_by
FROM ${table('events_attributed')}
WHERE category = 'data_access'`,
};

/** The who-accessed answer over all time, for dashboards and saved queries. */
export const WHO_ACCESSED_VIEW: ViewSpec = {
  name: 'who_accessed',
  description: 'tokentrail: one row per (bucket, subject, principal) over all time, with how often and when.',
  select: (table) => `SELECT
  cloud,
  bucket,
  subject,
  principal,
  COUNT(*) AS access_count,
  COUNTIF(outcome = 'failure') AS failures,
  MIN(event_time) AS first_seen,
  MAX(event_time) AS last_seen
FROM ${table('access')}
GROUP BY cloud, bucket, subject, principal`,
};

/** In dependency order. */
export const VIEWS: readonly ViewSpec[] = [ATTRIBUTED_VIEW, ACCESS_VIEW, WHO_ACCESSED_VIEW];
