import { asObject, asText, firstText, type JsonObject } from '../json-access.js';
import type { Category, Row } from '../schema/row.js';
import { epochMicros } from '../time/timestamp.js';
import { newRow } from './build-row.js';
import { requiredText, requiredTimestamp } from './required-fields.js';

/** google.rpc.Code names, by number. */
const RPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export function auditPayload(entry: JsonObject): JsonObject | null {
  return asObject(entry.protoPayload);
}

export function statusCode(status: JsonObject | null): number {
  const code = status?.code;
  if (typeof code === 'number') return code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  return 0;
}

const PROJECT_IN_LOG_NAME = /^projects\/([^/]+)\/logs\//;

/**
 * A row with the columns every Cloud Audit Log entry fills the same way. The event id is logName
 * + insertId + timestamp in epoch microseconds: exactly the id Eventarc gives the CloudEvent, so a
 * Pub/Sub sink message and an Eventarc event of one entry share it. SIEM exports that lower-case
 * keys (insertid, logname, callerIP) are read too. The service is as logged; documentation
 * samples sometimes omit serviceName, so the caller names the one its methods belong to.
 */
export function logEntryRow(
  entry: JsonObject,
  payload: JsonObject,
  service: string,
  category: Category,
): Row {
  const logName = requiredText(entry.logName ?? entry.logname, 'logName', 'missing_id');
  const insertId = requiredText(entry.insertId ?? entry.insertid, 'insertId', 'missing_id');
  const timestamp = requiredTimestamp(entry.timestamp, 'timestamp');
  const status = asObject(payload.status);
  const code = statusCode(status);
  const metadata = asObject(payload.requestMetadata);
  const labels = asObject(asObject(entry.resource)?.labels);
  return newRow({
    event_id: `${logName}${insertId}${epochMicros(timestamp)}`,
    event_time: timestamp,
    cloud: 'gcp',
    source: firstText(payload.serviceName, labels?.service) ?? service,
    action: requiredText(payload.methodName, 'protoPayload.methodName', 'invalid_field'),
    category,
    outcome: code === 0 ? 'success' : 'failure',
    error_code: code === 0 ? null : (RPC_CODES[code] ?? String(code)),
    error_message: code === 0 ? null : asText(status?.message),
    source_ip: firstText(metadata?.callerIp, metadata?.callerIP),
    user_agent: asText(metadata?.callerSuppliedUserAgent),
    account: firstText(labels?.project_id, PROJECT_IN_LOG_NAME.exec(logName)?.[1]),
    region: asText(labels?.location),
    raw: entry,
  });
}
