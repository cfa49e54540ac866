/** Times as the logs spell them, from epoch milliseconds. */
import { between, type Random } from './random.js';

/** CloudTrail `eventTime`: whole seconds, `Z`. */
export function cloudTrailTime(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 19)}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** STS credential `expiration` as CloudTrail logs it: `Apr 16, 2025, 3:46:56 AM` (UTC). */
export function credentialExpiration(millis: number): string {
  const date = new Date(millis);
  const hours = date.getUTCHours();
  const clock = `${hours % 12 === 0 ? 12 : hours % 12}:${date.toISOString().slice(14, 19)}`;
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${clock} ${hours < 12 ? 'AM' : 'PM'}`;
}

/**
 * A Cloud Audit Logs timestamp: RFC 3339 with nanoseconds. The digits past the millisecond are
 * random, so entries of the same millisecond still differ.
 */
export function nanosecondTimestamp(random: Random, millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 23)}${String(between(random, 0, 999_999)).padStart(6, '0')}Z`;
}

/** `YYYY/MM/DD`, the date folders of CloudTrail, Firehose and Log Router sink objects. */
export function dateFolders(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10).replaceAll('-', '/');
}
