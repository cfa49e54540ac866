import { backoffDelay, describeFailure, isTransient } from '../../shared/adapters/bigquery/retry.js';

describe('backoffDelay', () => {
  const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles per failure, with jitter between half and all of the step, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});

describe('isTransient', () => {
  it.each([
    [{ code: 429 }, true],
    [{ code: 500 }, true],
    [{ code: 503 }, true],
    [{ code: 403, errors: [{ reason: 'rateLimitExceeded' }] }, true],
    [{ code: 403, errors: [{ reason: 'accessDenied' }] }, false],
    [{ code: 400, errors: [{ reason: 'invalidQuery' }] }, false],
    [{ code: 404 }, false],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [Object.assign(new Error('timeout'), { type: 'request-timeout' }), true],
    [new Error('Provided types must match'), false],
  ])('%o -> %s', (error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });
});

describe('describeFailure', () => {
  it('leads with the HTTP status or the network code, on one line', () => {
    expect(describeFailure({ code: 503, message: 'Multiple errors:\n\n  1. down' })).toBe(
      'HTTP 503 Multiple errors: 1. down',
    );
    expect(describeFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      'ECONNRESET socket hang up',
    );
  });
});
