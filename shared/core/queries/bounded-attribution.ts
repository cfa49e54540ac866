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
  return `WITH mint AS (
  SELECT event_id, credential_id, subject, issuer, identity_provider, audience
  FROM \`${dataset}.events_unique\`
  WHERE category = 'token_exchange' AND outcome = 'success' AND credential_id IS NOT NULL
    AND event_time >= TIMESTAMP_SUB(${since}, ${MINT_LOOKBACK}) AND event_time < ${until}
)
SELECT used.event_id, used.event_time, used.cloud, used.source, used.action, used.category, used.outcome,
  used.error_code, used.error_message, used.principal,
  COALESCE(used.subject, mint.subject) AS subject,
  COALESCE(used.issuer, mint.issuer) AS issuer,
  COALESCE(used.identity_provider, mint.identity_provider) AS identity_provider,
  COALESCE(used.audience, mint.audience) AS audience,
  used.resource, used.bucket, used.object, used.credential_id, used.source_ip, used.user_agent,
  used.account, used.region, used.binding_deltas
FROM \`${dataset}.events_unique\` AS used
LEFT JOIN mint ON mint.credential_id = used.credential_id
WHERE used.event_time >= ${since} AND used.event_time < ${until}${where}`;
}
