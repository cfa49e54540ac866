import { asObject, asText, type JsonObject } from '../json-access.js';
import type { Category, Row } from '../schema/row.js';
import { newRow } from './build-row.js';
import { requiredText, requiredTimestamp } from './required-fields.js';

/** A row with the columns every CloudTrail record fills the same way, whatever its kind. */
export function cloudTrailRow(record: JsonObject, source: string, category: Category): Row {
  const errorCode = asText(record.errorCode);
  return newRow({
    event_id: requiredText(record.eventID, 'eventID', 'missing_id'),
    event_time: requiredTimestamp(record.eventTime, 'eventTime'),
    cloud: 'aws',
    source,
    action: requiredText(record.eventName, 'eventName', 'invalid_field'),
    category,
    outcome: errorCode === null ? 'success' : 'failure',
    error_code: errorCode,
    error_message: asText(record.errorMessage),
    source_ip: asText(record.sourceIPAddress),
    user_agent: asText(record.userAgent),
    account: asText(record.recipientAccountId) ?? asText(asObject(record.userIdentity)?.accountId),
    region: asText(record.awsRegion),
    raw: record,
  });
}

/** `resources[]` entries carry `ARN` (upper case) unlike the rest of the record. */
export function resourceArn(record: JsonObject, type: string): string | null {
  if (!Array.isArray(record.resources)) return null;
  for (const resource of record.resources) {
    const entry = asObject(resource);
    if (entry && entry.type === type) return asText(entry.ARN);
  }
  return null;
}
