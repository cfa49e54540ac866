import fc from 'fast-check';
import { durationMs, pointInTime, TimeRangeError, timeRange } from './time-range.js';

const NOW = new Date('2026-11-22T12:00:00.123Z');

describe('pointInTime', () => {
  it.each([
    ['7d', '2026-11-15T12:00:00.123000Z'],
    ['12h', '2026-11-22T00:00:00.123000Z'],
    ['30m', '2026-11-22T11:30:00.123000Z'],
    ['2w', '2026-11-08T12:00:00.123000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000000Z'],
    ['2026-11-01T08:00:00Z', '2026-11-01T08:00:00.000000Z'],
    ['2026-11-01T08:00:00+02:00', '2026-11-01T06:00:00.000000Z'],
  ])('reads %s', (text, expected) => {
    expect(pointInTime(text, NOW)).toBe(expected);
  });

  it.each(['yesterday', '7', '-7d', '2026-13-01', '', '7 d', '7D', '0d', '1.5h', '7d ago'])(
    'refuses %j, saying what it accepts',
    (text) => {
      expect(() => pointInTime(text, NOW, '--since')).toThrow(
        new TimeRangeError(
          `--since ${JSON.stringify(text)}: use a number and a unit (30m, 12h, 7d, 2w) or a date or RFC 3339 time (2026-11-01, 2026-11-01T08:00:00Z)`,
        ),
      );
    },
  );

  it.each(['99999999d', '9999999999999999999999w', '2969w', '1969-12-31T23:59:59Z', '1000-01-01'])(
    'refuses %j, a time before 1970',
    (text) => {
      expect(() => pointInTime(text, NOW, '--until')).toThrow(
        new TimeRangeError(`--until ${JSON.stringify(text)}: times before 1970 are not accepted`),
      );
    },
  );

  it('accepts the first instant of 1970 and the last of 9999', () => {
    expect(pointInTime('1970-01-01', NOW)).toBe('1970-01-01T00:00:00.000000Z');
    expect(pointInTime('9999-12-31T23:59:59.999999Z', NOW)).toBe('9999-12-31T23:59:59.999999Z');
  });

  it('gives every relative time as a canonical timestamp between 1970 and now, or a clear refusal', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.bigInt({ min: 1n, max: 10n ** 30n })),
        fc.constantFrom('m', 'h', 'd', 'w'),
        (amount, unit) => {
          const text = `${amount}${unit}`;
          try {
            const point = pointInTime(text, NOW);
            expect(point).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
            expect(point >= '1970-01-01T00:00:00.000000Z' && point < '2026-11-22T12:00:00.123000Z').toBe(
              true,
            );
          } catch (error) {
            expect(error).toEqual(
              new TimeRangeError(`${JSON.stringify(text)}: times before 1970 are not accepted`),
            );
          }
        },
      ),
    );
  });
});

describe('durationMs', () => {
  it.each([
    ['30m', 1_800_000],
    ['2w', 1_209_600_000],
    ['7 d', null],
    ['0m', null],
    ['99999999999999999999d', null],
  ])('reads %j as %j', (text, expected) => {
    expect(durationMs(text)).toBe(expected);
  });
});

describe('timeRange', () => {
  it('defaults to the last seven days up to now', () => {
    expect(timeRange({}, NOW)).toEqual({
      since: '2026-11-15T12:00:00.123000Z',
      until: '2026-11-22T12:00:00.123000Z',
    });
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => timeRange({ since: '1d', until: '2d' }, NOW)).toThrow(/is after --until/);
  });

  it('names the option a bad time was given to', () => {
    expect(() => timeRange({ since: '7 d' }, NOW)).toThrow(/^--since "7 d": use a number and a unit/);
    expect(() => timeRange({ until: '99999999d' }, NOW)).toThrow(
      '--until "99999999d": times before 1970 are not accepted',
    );
  });
});
