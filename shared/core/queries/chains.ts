/**
 * Identity chains: which earlier event minted the credential, token or session an event acted
 * with, within that credential's lifetime. Written once in the common subset of DuckDB and
 * BigQuery (`||` is NULL when a side is NULL in both; `+ INTERVAL` works on timestamps in both).
 *
 * A link joins a child's key to a parent's key (plain equality, so both engines hash it), then
 * keeps, per child, the latest parent minted before it whose credential had not expired:
 * - `aws-session`: a GCP token exchange whose subject is an AWS role session ARN (an AWS workload
 *   at an AWS provider) <- the AssumeRoleWithWebIdentity that created that session (same role and
 *   session name, `minted_identity`), the exchange inside the session's lifetime.
 * - `gcp-id-token`: an AssumeRoleWithWebIdentity by accounts.google.com, whose subject is a
 *   service account's numeric unique id <- that account's GenerateIdToken (`minted_identity`),
 *   within the ID token's hour.
 * - `gcp-federated`: a GCP call by a federated principal:// (impersonating a service account, or
 *   reading directly) <- the token exchange that mapped to that principal, within the hour a
 *   federated token lives.
 * - `gcp-sa-token`: data access as a service account on someone's behalf <- the
 *   GenerateAccessToken by the same caller for the same account, within an access token's default
 *   hour (lifetimes extended to 12 h by policy are not followed).
 * An AWS call made with a minted key is not linked here: events_attributed's `minted_by` names its
 * AssumeRoleWithWebIdentity already (joined on the key alone), and leaving the many data events
 * out keeps the link join small; the access view and the chain query follow `minted_by` first.
 * Same-named AWS sessions (GitHubActions is configure-aws-credentials' default) and shared service
 * accounts make several parents possible; the latest before the child is taken.
 */

/** The longest a credential a link follows lives: an AWS role session, at most 12 hours. */
export const LINK_LOOKBACK_HOURS = 12;
/** How many links up a chain is followed. */
export const CHAIN_DEPTH = 6;

const AWS_SESSION_END = `COALESCE(credential_expiration, event_time + INTERVAL ${LINK_LOOKBACK_HOURS} HOUR)`;
const ONE_HOUR = 'event_time + INTERVAL 1 HOUR';

/** The parents' keys: one row per (key, minting event), with when the minted thing expires. */
function parentKeys(events: string): string {
  const minted = (link: string, key: string, expires: string, where: string) =>
    `  SELECT '${link}' AS link, '${link} ' || ${key} AS link_key, event_id, event_time, ${expires} AS expires
  FROM ${events}
  WHERE outcome = 'success' AND ${where}`;
  return [
    minted(
      'aws-session',
      'minted_identity',
      AWS_SESSION_END,
      "cloud = 'aws' AND category = 'token_exchange' AND minted_identity IS NOT NULL",
    ),
    minted(
      'gcp-id-token',
      'minted_identity',
      ONE_HOUR,
      "cloud = 'gcp' AND category = 'impersonation' AND action LIKE '%GenerateIdToken' AND minted_identity IS NOT NULL",
    ),
    minted(
      'gcp-federated',
      'principal',
      ONE_HOUR,
      "cloud = 'gcp' AND category = 'token_exchange' AND principal IS NOT NULL",
    ),
    minted(
      'gcp-sa-token',
      "principal || ' ' || caller",
      ONE_HOUR,
      "cloud = 'gcp' AND category = 'impersonation' AND action LIKE '%GenerateAccessToken' AND caller IS NOT NULL",
    ),
  ].join('\n  UNION ALL\n');
}

/** Each event's key to its parent; NULL when it has none to look for. */
const CHILD_KEY = `CASE
      WHEN cloud = 'aws' AND identity_provider = 'accounts.google.com' THEN 'gcp-id-token ' || subject
      WHEN cloud = 'gcp' AND category = 'token_exchange' THEN 'aws-session ' || subject
      WHEN cloud = 'gcp' AND category = 'impersonation' THEN 'gcp-federated ' || caller
      WHEN cloud = 'gcp' AND category = 'data_access' AND caller IS NOT NULL
        THEN 'gcp-sa-token ' || principal || ' ' || caller
      WHEN cloud = 'gcp' AND category = 'data_access' THEN 'gcp-federated ' || principal
    END`;

/**
 * One row per linked event: `event_id`, the `parent_event_id` whose credential it acted with, and
 * the `link` kind. `events` is a table, view or CTE of unique events.
 */
export function chainLinksSelect(events: string): string {
  return `SELECT event_id, parent_event_id, link FROM (
  SELECT
    child.event_id,
    parent.event_id AS parent_event_id,
    parent.link,
    ROW_NUMBER() OVER (
      PARTITION BY child.event_id ORDER BY parent.event_time DESC, parent.event_id DESC
    ) AS position
  FROM (
    SELECT event_id, event_time, ${CHILD_KEY} AS link_key
    FROM ${events}
    WHERE cloud = 'gcp' OR identity_provider = 'accounts.google.com'
  ) AS child
  JOIN (
${parentKeys(events)}
  ) AS parent
    ON parent.link_key = child.link_key
  WHERE parent.event_id <> child.event_id
    AND parent.event_time <= child.event_time
    AND child.event_time < parent.expires
) AS candidates
WHERE position = 1`;
}

/**
 * The recursive part of the chain walk, for a CTE named `up` (`WITH RECURSIVE`): each linked
 * event with every ancestor up to CHAIN_DEPTH links away, and how far. `links` is the links
 * select's table, view or CTE.
 */
export function chainAncestorsSelect(links: string, up: string): string {
  return `SELECT event_id, parent_event_id AS ancestor, 1 AS depth FROM ${links}
  UNION ALL
  SELECT ${up}.event_id, links.parent_event_id, ${up}.depth + 1
  FROM ${up}
  JOIN ${links} AS links ON links.event_id = ${up}.ancestor
  WHERE ${up}.depth < ${CHAIN_DEPTH}`;
}

/**
 * Each linked event's root subject: the subject of the farthest ancestor that names one, i.e. the
 * first external identity. `up` is the ancestors CTE, `events` the unique events.
 */
export function chainRootsFrom(up: string, events: string): string {
  return `SELECT event_id, root_subject FROM (
  SELECT
    ${up}.event_id,
    hop.subject AS root_subject,
    ROW_NUMBER() OVER (PARTITION BY ${up}.event_id ORDER BY ${up}.depth DESC) AS position
  FROM ${up}
  JOIN ${events} AS hop ON hop.event_id = ${up}.ancestor
  WHERE hop.subject IS NOT NULL
) AS found
WHERE position = 1`;
}

/** The chain roots as one statement (a view's SELECT). */
export function chainRootsSelect(links: string, events: string): string {
  return `WITH RECURSIVE chain_up AS (
${chainAncestorsSelect(links, 'chain_up')}
)
${chainRootsFrom('chain_up', events)}`;
}

/** The columns the chain walk reads, so a bounded copy of the events leaves `raw` behind. */
const CHAIN_EVENT_COLUMNS =
  'event_id, event_time, cloud, category, outcome, action, principal, subject, identity_provider, resource, credential_id, credential_expiration, minted_identity, caller';

/**
 * The chain CTEs of a window, for a `WITH RECURSIVE`: `chain_events` (the window and the
 * CHAIN_DEPTH x LINK_LOOKBACK_HOURS a chain can reach back, `lowerBound`), `chain_links`,
 * `chain_up` and `chain_roots`. Reading the window
 * instead of the all-history views keeps a named query's cost with its window.
 */
export function windowChainCtes(events: string, lowerBound: string, until: string): string {
  return `chain_events AS (
  SELECT ${CHAIN_EVENT_COLUMNS}
  FROM ${events}
  WHERE event_time >= ${lowerBound} AND event_time < ${until}
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
