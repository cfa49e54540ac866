/**
 * Timestamps arrive in many spellings (CloudTrail seconds, GCP RFC 3339 with 0-9 fractional
 * digits, SIEM exports with a space and no zone, CloudTrail's compact `20131102T010628Z`).
 * Rows carry one canonical form: UTC, exactly six fractional digits, `Z`, which sorts as text and
 * is what a BigQuery TIMESTAMP keeps (nanoseconds are truncated, never rounded).
 */
const RFC3339ISH =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?[ ]?(?:([Zz]|UTC)|([+-])(\d{2}):?(\d{2}))?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
// "Apr 16, 2025, 3:46:56 AM" and "Sep 15, 2021 4:00:36 AM"; ICU may put U+202F before AM/PM.
const LOCALE_EXPIRY =
  /^([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})[\s\u00a0\u202f]*([AaPp])\.?[Mm]\.?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function format(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micros: string,
): string | null {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${micros}Z`;
}

function fromEpochMillis(millis: number, micros: string): string | null {
  const date = new Date(millis);
  if (Number.isNaN(date.getTime())) return null;
  return format(
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    micros,
  );
}

// CloudTrail's eventTime, by far the most common input: 2025-04-16T02:46:56Z.
const CLOUDTRAIL_SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Parses a logged timestamp into the canonical form, or returns null when it is not one. */
export function parseTimestamp(text: string): string | null {
  const seconds = CLOUDTRAIL_SECONDS.exec(text);
  if (seconds) {
    const [, y, mo, d, h, mi, s] = seconds;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const valid =
      year >= 1000 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      Number(h) <= 23 &&
      Number(mi) <= 59 &&
      Number(s) <= 59;
    return valid ? `${text.slice(0, 19)}.000000Z` : null;
  }
  const compact = COMPACT.exec(text);
  if (compact) {
    const [, y, mo, d, h, mi, s] = compact.map(Number) as number[];
    return format(y!, mo!, d!, h!, mi!, s!, '000000');
  }
  const match = RFC3339ISH.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, , sign, offsetHours, offsetMinutes] = match;
  const micros = (fraction ?? '').padEnd(6, '0').slice(0, 6);
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const local = format(...fields, micros);
  if (local === null || sign === undefined) return local;
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return null;
  const [year, month, day, hour, minute, second] = fields;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second) - (sign === '+' ? offset : -offset);
  return fromEpochMillis(millis, micros);
}

/** Epoch microseconds of a canonical timestamp, as a decimal string (exact below year 2255). */
export function epochMicros(canonical: string): string {
  const seconds = Date.parse(`${canonical.slice(0, 19)}Z`) / 1000;
  return String(seconds * 1_000_000 + Number(canonical.slice(20, 26)));
}

/**
 * CloudTrail logs credential expiry as a US-locale string in UTC ("Apr 16, 2025, 3:46:56 AM");
 * some producers write ISO instead. Returns null for anything else rather than guessing.
 */
export function parseCredentialExpiration(text: string): string | null {
  const locale = LOCALE_EXPIRY.exec(text.trim());
  if (!locale) return parseTimestamp(text);
  const [, monthName, day, year, hour12, minute, second, meridiem] = locale;
  const month = MONTHS[monthName!.toLowerCase()];
  const hour = Number(hour12);
  if (month === undefined || hour < 1 || hour > 12) return null;
  const hour24 = (hour % 12) + (meridiem!.toLowerCase() === 'p' ? 12 : 0);
  return format(Number(year), month, Number(day), hour24, Number(minute), Number(second), '000000');
}

/** A Date (millisecond precision) in the canonical form. */
export function timestampOf(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}
