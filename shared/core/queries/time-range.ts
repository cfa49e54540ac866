import { parseTimestamp, timestampOf } from '../time/timestamp.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^(\d+)\s*([mhdw])$/;

export class TimeRangeError extends Error {
  override readonly name = 'TimeRangeError';
}

/** Reads a length of time, `30m`, `2h`, `7d` or `2w`, in milliseconds; null when it is not one. */
export function durationMs(text: string): number | null {
  const relative = RELATIVE.exec(text.trim());
  return relative ? Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS] : null;
}

/**
 * Reads `7d`, `12h`, `30m`, `2w` (that long before `now`) or an absolute date or timestamp
 * (`2026-11-01`, `2026-11-01T08:00:00Z`), and returns the canonical UTC timestamp.
 */
export function pointInTime(text: string, now: Date): string {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const ms = Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
    return timestampOf(new Date(now.getTime() - ms));
  }
  const absolute = parseTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
  if (absolute === null) {
    throw new TimeRangeError(
      `'${text}' is not a time: use 7d, 12h, 30m, 2w, 2026-11-01 or 2026-11-01T08:00:00Z`,
    );
  }
  return absolute;
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
  const since = pointInTime(options.since ?? defaultSince, now);
  const until = options.until === undefined ? timestampOf(now) : pointInTime(options.until, now);
  if (since > until) throw new TimeRangeError(`--since (${since}) is after --until (${until})`);
  return { since, until };
}
