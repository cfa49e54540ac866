import { pointInTime, TimeRangeError, timeRange } from './time-range.js';

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

  it.each(['yesterday', '7', '-7d', '2026-13-01', ''])('refuses %j with the forms it accepts', (text) => {
    expect(() => pointInTime(text, NOW)).toThrow(
      new TimeRangeError(`'${text}' is not a time: use 7d, 12h, 30m, 2w, 2026-11-01 or 2026-11-01T08:00:00Z`),
    );
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
});
