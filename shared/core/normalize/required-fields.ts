import { type RejectCode, RejectError } from '../errors.js';
import { parseTimestamp } from '../time/timestamp.js';

/** A field the row cannot do without: absent -> `missingCode`, present but not text -> invalid_field. */
export function requiredText(value: unknown, field: string, missingCode: RejectCode): string {
  if (value === undefined || value === null || value === '') {
    throw new RejectError(missingCode, `${field} is missing`);
  }
  if (typeof value !== 'string') throw new RejectError('invalid_field', `${field} must be a string`);
  return value;
}

export function requiredTimestamp(value: unknown, field: string): string {
  const text = requiredText(value, field, 'missing_time');
  const parsed = parseTimestamp(text);
  if (parsed === null) {
    throw new RejectError('invalid_timestamp', `${field} is not a timestamp: ${text.slice(0, 64)}`);
  }
  return parsed;
}
