import { parseTimestamp, timestampOf } from '../time/timestamp.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^(\d+)([mhdw])$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** Canonical timestamps sort as text; parseTimestamp already refuses years past 9999. */
const EARLIEST = '1970-01-01T00:00:00.000000Z';
/** Stands for any relative time that reaches before 1970. */
const EARLIER = '1969-12-31T23:59:59.999999Z';

const ACCEPTED =
  'use a number and a unit (30m, 12h, 7d, 2w) or a date or RFC 3339 time (2026-11-01, 2026-11-01T08:00:00Z)';

export class TimeRangeError extends Error {
  override readonly name = 'TimeRangeError';
}

/** Reads a length of time, `30m`, `2h`, `7d` or `2w`, in milliseconds; null when it is not one. */
export function durationMs(text: string): number | null {
  const relative = RELATIVE.exec(text.trim());
  if (!relative) return null;
  const ms = Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/**
 * Reads `7d`, `12h`, `30m`, `2w` (that long before `now`) or an absolute date or timestamp
 * (`2026-11-01`, `2026-11-01T08:00:00Z`), and returns the canonical UTC timestamp, from 1970 to
 * 9999. `name` (an option such as `--since`) starts the error message.
 */
export function pointInTime(text: string, now: Date, name?: string): string {
  const quoted = name === undefined ? JSON.stringify(text) : `${name} ${JSON.stringify(text)}`;
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  let point: string | null;
  if (relative) {
    if (/^0+$/.test(relative[1]!)) throw new TimeRangeError(`${quoted}: ${ACCEPTED}`);
    // Past 2^53 ms the arithmetic is no longer exact; that is long before 1970 anyway.
    const ms = durationMs(trimmed);
    const millis = ms === null ? -1 : now.getTime() - ms;
    point = millis < 0 ? EARLIER : timestampOf(new Date(millis));
  } else {
    point = parseTimestamp(DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
  }
  if (point === null) throw new TimeRangeError(`${quoted}: ${ACCEPTED}`);
  if (point < EARLIEST) throw new TimeRangeError(`${quoted}: times before 1970 are not accepted`);
  return point;
}

export interface TimeRange {
  readonly since: string;
  readonly until: string;
}

/** The window a query covers: `since` defaults to `defaultSince` ago, `until` to now. */
export function timeRange(
  options: { since?: string; until?: string },
  now: Date,
  defaultSince = '7d',
): TimeRange {
  const since = pointInTime(options.since ?? defaultSince, now, '--since');
  const until = options.until === undefined ? timestampOf(now) : pointInTime(options.until, now, '--until');
  if (since > until) throw new TimeRangeError(`--since (${since}) is after --until (${until})`);
  return { since, until };
}
