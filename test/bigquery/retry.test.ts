import { describeFailure, isTransient } from '../../shared/adapters/bigquery/retry.js';
import { backoffDelayMs } from '../../shared/adapters/http/backoff.js';

describe('backoffDelayMs, as the store retries', () => {
  const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles per failure, with jitter between half and all of the step, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});

/** The client's ApiError: `code` the HTTP status, `errors` BigQuery's entries. */
const answered = (status: number, ...reasons: string[]) =>
  Object.assign(new Error('…'), { code: status, errors: reasons.map((reason) => ({ reason })) });

/** What fetch throws when no answer came: a TypeError whose cause is the socket's error. */
const fetchFailed = (cause: Error) => new TypeError('fetch failed', { cause });
const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isTransient', () => {
  it.each([
    ['HTTP 408', answered(408), true],
    ['HTTP 429 rateLimitExceeded', answered(429, 'rateLimitExceeded'), true],
    ['HTTP 500 internalError', answered(500, 'internalError'), true],
    ['HTTP 502', answered(502), true],
    ['HTTP 503 backendError', answered(503, 'backendError'), true],
    ['HTTP 504', answered(504), true],
    ['HTTP 403 rateLimitExceeded', answered(403, 'rateLimitExceeded'), true],
    ['HTTP 403 quotaExceeded', answered(403, 'quotaExceeded'), true],
    ['HTTP 400 invalidQuery', answered(400, 'invalidQuery'), false],
    ['HTTP 401 authError', answered(401, 'authError'), false],
    ['HTTP 403 accessDenied', answered(403, 'accessDenied'), false],
    ['HTTP 404 notFound', answered(404, 'notFound'), false],
    ['HTTP 501', answered(501), false],
    // node-fetch (the client's transport) throws a FetchError with the socket's code.
    [
      'node-fetch: dropped',
      Object.assign(new Error('request to http://127.0.0.1/ failed, reason: socket hang up'), {
        type: 'system',
        code: 'ECONNRESET',
      }),
      true,
    ],
    ['fetch: connection dropped', fetchFailed(coded('other side closed', 'UND_ERR_SOCKET')), true],
    ['fetch: refused', fetchFailed(coded('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED')), true],
    ['fetch: reset', fetchFailed(coded('read ECONNRESET', 'ECONNRESET')), true],
    ['fetch: headers timeout', fetchFailed(coded('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT')), true],
    ['fetch: bad port', fetchFailed(new Error('bad port')), false],
    // google-auth-library's GaxiosError from a token exchange carries the status.
    ['GaxiosError 400', Object.assign(new Error('invalid_grant'), { status: 400 }), false],
    ['GaxiosError 503', Object.assign(new Error('Service Unavailable'), { status: 503 }), true],
    // Client-library shapes: `code` for the status, `errors[].reason`.
    ['{code: 429}', { code: 429 }, true],
    ['{code: 403, rateLimitExceeded}', { code: 403, errors: [{ reason: 'rateLimitExceeded' }] }, true],
    ['{code: 403, accessDenied}', { code: 403, errors: [{ reason: 'accessDenied' }] }, false],
    ['{code: 404}', { code: 404 }, false],
    // What the client's retryableErrorFn gets when teeny-request parsed the body already.
    [
      '{code: 403, response.body rateLimitExceeded}',
      { code: 403, errors: [], response: { body: { error: { errors: [{ reason: 'rateLimitExceeded' }] } } } },
      true,
    ],
    [
      '{code: 403, response.body accessDenied}',
      { code: 403, errors: [], response: { body: { error: { errors: [{ reason: 'accessDenied' }] } } } },
      false,
    ],
    ['ECONNRESET', coded('socket hang up', 'ECONNRESET'), true],
    ['request-timeout', Object.assign(new Error('timeout'), { type: 'request-timeout' }), true],
    ['a plain Error', new Error('Provided types must match'), false],
  ])('%s -> %s', (_name, error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });
});

describe('describeFailure', () => {
  it("gives an ApiError's status, first reason and BigQuery's message", () => {
    expect(
      describeFailure(
        Object.assign(new Error('Access Denied'), { code: 403, errors: [{ reason: 'accessDenied' }] }),
      ),
    ).toBe('HTTP 403 accessDenied: Access Denied');
  });

  it('leads with the HTTP status or the network code, on one line', () => {
    expect(describeFailure({ code: 503, message: 'Multiple errors:\n\n  1. down' })).toBe(
      'HTTP 503 Multiple errors: 1. down',
    );
    expect(describeFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      'ECONNRESET socket hang up',
    );
    expect(describeFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(
      'read ECONNRESET',
    );
  });
});
