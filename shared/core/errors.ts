/**
 * The fixed list of reasons a record is rejected (quarantined) or skipped. Codes are low-cardinality
 * on purpose: they are grouped on in dashboards and alerts, so add one only for a new kind of fault.
 */
export const REJECT_CODES = [
  'invalid_json', // bytes that are not JSON
  'invalid_encoding', // bad base64 or a payload that is not text
  'decompression_failed', // corrupt gzip
  'too_large', // over a size cap (decompressed bytes, one value, nesting depth)
  'truncated', // input ended inside a value
  'invalid_envelope', // a known delivery envelope with a missing or mistyped field
  'unrecognized_record', // JSON that is neither a known envelope nor an audit record
  'missing_id', // no CloudTrail eventID / LogEntry logName + insertId
  'missing_time', // no eventTime / timestamp
  'invalid_timestamp', // a timestamp that cannot be parsed
  'invalid_field', // a field the row needs has the wrong type
  'store_rejected', // the store refused the row (e.g. a BigQuery insertAll 'invalid' error)
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

/** Records that are fine but not ours: counted, never quarantined. */
export const SKIP_REASONS = [
  'not_federation', // an audit record of another service or method
  'control_message', // CloudWatch Logs health check
  'not_audit_log', // a LogEntry or CloudEvent that is not a Cloud Audit Log of interest
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export class RejectError extends Error {
  override readonly name = 'RejectError';
  constructor(
    readonly code: RejectCode,
    message: string,
  ) {
    super(message);
  }
}

/** An error as one line for a log field: its name and message, whitespace collapsed (no stack). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replaceAll(/\s+/g, ' ').trim();
}
