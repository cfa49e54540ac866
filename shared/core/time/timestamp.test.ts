import fc from 'fast-check';
import { CANONICAL_TIMESTAMP } from '../schema/validate-row.js';
import { epochMicros, parseCredentialExpiration, parseTimestamp } from './timestamp.js';

describe('parseTimestamp', () => {
  it.each([
    ['2025-04-16T02:46:56Z', '2025-04-16T02:46:56.000000Z'], // CloudTrail, seconds
    ['2022-07-25T22:19:15.56Z', '2022-07-25T22:19:15.560000Z'], // Pub/Sub, 2 digits
    ['2021-02-05T04:06:14.109Z', '2021-02-05T04:06:14.109000Z'],
    ['2025-04-09T18:32:34.208412Z', '2025-04-09T18:32:34.208412Z'],
    ['2024-10-21T23:25:19.653928185Z', '2024-10-21T23:25:19.653928Z'], // 9 digits: truncated
    ['2024-07-10T12:03:23.801000699Z', '2024-07-10T12:03:23.801000Z'],
    ['2024-08-29 19:30:36.339983306', '2024-08-29T19:30:36.339983Z'], // SIEM export: space, no zone
    ['2023-05-24 21:12:55.145', '2023-05-24T21:12:55.145000Z'],
    ['20131102T010628Z', '2013-11-02T01:06:28.000000Z'], // CloudTrail compact form
    ['2025-01-01T00:30:00+01:00', '2024-12-31T23:30:00.000000Z'], // offsets move to UTC
    ['2025-01-01T23:30:00.5-0130', '2025-01-02T01:00:00.500000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000000Z'],
  ])('%s -> %s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    '',
    'yesterday',
    '2023-02-29T00:00:00Z', // not a leap year
    '2025-13-01T00:00:00Z',
    '2025-01-01T24:00:00Z',
    '2025-01-01T00:00:60Z',
    '2017-11-20T10:54:01.590EST', // doc-edited zone names are not guessed
    '2025-01-01T00:00:00.1234567890Z',
    '1729520895158',
  ])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeNull();
  });

  it('always yields the canonical form or null, never throws', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseTimestamp(text);
        return parsed === null || CANONICAL_TIMESTAMP.test(parsed);
      }),
    );
  });

  it('round-trips every instant it formats', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const iso = date.toISOString();
          return parseTimestamp(iso) === `${iso.slice(0, 23)}000Z`;
        },
      ),
    );
  });
});

describe('epochMicros', () => {
  it('matches the microseconds Eventarc puts in its CloudEvent ids', () => {
    expect(epochMicros('2024-07-10T12:03:23.801000Z')).toBe('1720613003801000');
  });
});

describe('parseCredentialExpiration', () => {
  it.each([
    ['Apr 16, 2025, 3:46:56 AM', '2025-04-16T03:46:56.000000Z'],
    ['Sep 15, 2021 4:00:36 AM', '2021-09-15T04:00:36.000000Z'], // no comma after the year
    ['Jul 9, 2024, 4:41:37 PM', '2024-07-09T16:41:37.000000Z'],
    ['Jan 1, 2025, 12:05:00 AM', '2025-01-01T00:05:00.000000Z'],
    ['Jan 1, 2025, 12:05:00 PM', '2025-01-01T12:05:00.000000Z'],
    ['Oct 25, 2023, 2:21:21\u202fAM', '2023-10-25T02:21:21.000000Z'],
    ['2025-04-16T03:46:56Z', '2025-04-16T03:46:56.000000Z'],
  ])('%s -> %s', (input, expected) => {
    expect(parseCredentialExpiration(input)).toBe(expected);
  });

  it.each(['', 'Foo 16, 2025, 3:46:56 AM', 'Apr 31, 2025, 3:46:56 AM', 'Apr 16, 2025, 13:46:56 PM'])(
    'returns null for %j',
    (input) => {
      expect(parseCredentialExpiration(input)).toBeNull();
    },
  );
});
