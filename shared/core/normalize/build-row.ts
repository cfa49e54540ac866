import type { Row } from '../schema/row.js';

/** The columns every event fills the same way; the kind-specific ones start null. */
export type RowBase = Pick<
  Row,
  | 'event_id'
  | 'event_time'
  | 'cloud'
  | 'source'
  | 'action'
  | 'category'
  | 'outcome'
  | 'error_code'
  | 'error_message'
  | 'source_ip'
  | 'user_agent'
  | 'account'
  | 'region'
  | 'raw'
>;

/**
 * Every row is created here, complete and in column order, so all rows share one object shape
 * and serialize with the same key order; normalizers then assign their own columns. (Building
 * rows by spreading partial objects cost a third of normalize's time.)
 */
export function newRow(base: RowBase): Row {
  return {
    event_id: base.event_id,
    event_time: base.event_time,
    cloud: base.cloud,
    source: base.source,
    action: base.action,
    category: base.category,
    outcome: base.outcome,
    error_code: base.error_code,
    error_message: base.error_message,
    principal: null,
    subject: null,
    issuer: null,
    identity_provider: null,
    audience: null,
    resource: null,
    bucket: null,
    object: null,
    credential_id: null,
    credential_expiration: null,
    session_name: null,
    caller: null,
    source_ip: base.source_ip,
    user_agent: base.user_agent,
    account: base.account,
    region: base.region,
    raw: base.raw,
    binding_deltas: null,
    trust: null,
    minted_identity: null,
  };
}
