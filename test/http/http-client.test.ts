import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import fc from 'fast-check';
import {
  HttpError,
  type HttpOptions,
  quoteBody,
  request,
  requestJson,
  requestStream,
} from '../../shared/adapters/http/http-client.js';
import { type LocalServer, listenLocally } from '../helpers/local-server.js';

/** One scripted answer per request, in order; the last one repeats. */
type Answer =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly hang: true }
  | { readonly hangUp: true }
  | { readonly chunks: readonly string[]; readonly pauseAfter?: number };

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Stand {
  readonly url: string;
  readonly seen: Seen[];
  /** Lets paused bodies go on. */
  release(): void;
  close(): Promise<void>;
}

async function stand(...answers: Answer[]): Promise<Stand> {
  const seen: Seen[] = [];
  const paused: ServerResponse[] = [];
  const rest = new Map<ServerResponse, readonly string[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const answer = answers[Math.min(seen.length, answers.length) - 1]!;
      if ('hang' in answer) return;
      if ('hangUp' in answer) {
        req.socket.destroy();
        return;
      }
      if ('chunks' in answer) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const pauseAfter = answer.pauseAfter ?? answer.chunks.length;
        for (const chunk of answer.chunks.slice(0, pauseAfter)) res.write(chunk);
        if (pauseAfter < answer.chunks.length) {
          rest.set(res, answer.chunks.slice(pauseAfter));
          paused.push(res);
        } else res.end();
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  const local: LocalServer = await listenLocally(server);
  return {
    url: local.url,
    seen,
    release() {
      for (const res of paused.splice(0)) {
        for (const chunk of rest.get(res) ?? []) res.write(chunk);
        res.end();
      }
    },
    close: () => local.close(),
  };
}

let server: Stand | undefined;
let sleeps: number[];
const options = (more: Partial<HttpOptions> = {}): HttpOptions => ({
  service: 'Test API',
  timeoutMs: 2000,
  retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 5000 },
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
  ...more,
});

beforeEach(() => {
  sleeps = [];
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('request', () => {
  it('sends the method, headers and body, and gives the answer as text', async () => {
    server = await stand({ status: 200, body: 'hello', headers: { 'x-answer': 'yes' } });
    const answer = await request(
      `${server.url}/v1/things?token=s3cret`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
      options(),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('hello');
    expect(answer.headers.get('x-answer')).toBe('yes');
    expect(server.seen).toEqual([
      expect.objectContaining({ method: 'POST', url: '/v1/things?token=s3cret', body: '{"a":1}' }),
    ]);
    expect(server.seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('retries 503s with exponential backoff and counts the attempts', async () => {
    server = await stand({ status: 503, body: '{"error":{"message":"try later"}}' });
    const error = await failure(request(`${server.url}/x?key=s3cret`, {}, options()));
    expect(server.seen).toHaveLength(4);
    expect(sleeps).toEqual([75, 150, 300]);
    expect(error).toMatchObject({
      code: 'HTTP_STATUS',
      status: 503,
      retryable: true,
      unconfirmed: false,
      attempts: 4,
    });
    expect(error.message).toBe(`Test API at ${server.url}/x: HTTP 503: try later (gave up after 4 attempts)`);
    expect(error.message).not.toContain('s3cret');
  });

  it('delivers once a retry succeeds', async () => {
    server = await stand({ status: 500 }, { status: 429 }, { status: 200, body: 'ok' });
    await expect(request(server.url, {}, options())).resolves.toMatchObject({ status: 200, text: 'ok' });
    expect(server.seen).toHaveLength(3);
    expect(sleeps).toEqual([75, 150]);
  });

  it('fails a 4xx at once, keeping the status, body and headers for the caller', async () => {
    server = await stand({
      status: 404,
      body: '<Error><Code>NoSuchKey</Code></Error>',
      headers: { 'x-a': 'b' },
    });
    const error = await failure(request(server.url, {}, options()));
    expect(error).toMatchObject({
      status: 404,
      retryable: false,
      attempts: 1,
      body: '<Error><Code>NoSuchKey</Code></Error>',
    });
    expect(error.headers.get('x-a')).toBe('b');
    expect(error.message).not.toContain('gave up');
    expect(server.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not follow a redirect', async () => {
    server = await stand({ status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } });
    const error = await failure(request(server.url, {}, options()));
    expect(error).toMatchObject({ status: 302, retryable: false });
    expect(error.headers.get('location')).toBe('http://127.0.0.1:9/elsewhere');
    expect(server.seen).toHaveLength(1);
  });

  it('waits as Retry-After says, in seconds or as a date', async () => {
    server = await stand(
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 503, headers: { 'retry-after': 'Sat, 01 Mar 2025 10:00:03 GMT' } },
      { status: 200 },
    );
    await request(server.url, {}, options({ now: () => Date.parse('2025-03-01T10:00:00Z') }));
    expect(sleeps).toEqual([2000, 3000]);
  });

  it('stops when Retry-After asks for longer than it waits, and says how long', async () => {
    server = await stand({ status: 429, headers: { 'retry-after': '120' } });
    const error = await failure(request(server.url, {}, options()));
    expect(error).toMatchObject({ status: 429, retryable: true, attempts: 1, retryAfterMs: 120_000 });
    expect(error.message).toContain('asked to wait 120 s');
    expect(sleeps).toEqual([]);
  });

  it('gives up a request with no answer after the timeout, and retries a GET', async () => {
    server = await stand({ hang: true });
    const error = await failure(
      request(
        server.url,
        {},
        options({ timeoutMs: 50, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }),
      ),
    );
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, unconfirmed: true, attempts: 2 });
    expect(error.message).toContain('no answer within 50 ms (gave up after 2 attempts)');
    expect(server.seen).toHaveLength(2);
  });

  it('times out a body that stops coming', async () => {
    server = await stand({ chunks: ['a', 'b'], pauseAfter: 1 });
    const error = await failure(request(server.url, {}, options({ timeoutMs: 50, retry: undefined })));
    expect(error).toMatchObject({ code: 'TIMEOUT', status: 200, attempts: 1 });
    server.release();
  });

  it('does not repeat a POST that may have landed, unless told it is idempotent', async () => {
    server = await stand({ hangUp: true }, { status: 200 });
    const error = await failure(request(server.url, { method: 'POST', body: 'x' }, options()));
    expect(error).toMatchObject({
      code: 'NETWORK',
      networkCode: 'ECONNRESET',
      unconfirmed: true,
      attempts: 1,
    });
    expect(server.seen).toHaveLength(1);

    await server.close();
    server = await stand({ hangUp: true }, { status: 200 });
    await expect(
      request(server.url, { method: 'POST', body: 'x' }, options({ idempotent: true })),
    ).resolves.toMatchObject({ status: 200 });
    expect(server.seen).toHaveLength(2);
  });

  it('retries a refused connection even for a POST: nothing was sent', async () => {
    server = await stand({ status: 200 });
    const gone = server.url;
    await server.close();
    server = undefined;
    const error = await failure(
      request(
        gone,
        { method: 'POST', body: 'x' },
        options({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }),
      ),
    );
    expect(error).toMatchObject({
      code: 'NETWORK',
      networkCode: 'ECONNREFUSED',
      unconfirmed: false,
      attempts: 3,
    });
    expect(error.message).toMatch(/network error \(ECONNREFUSED\) \(gave up after 3 attempts\)$/);
  });

  it('asks for the init before each attempt, and lets its errors through unretried', async () => {
    server = await stand({ status: 500 }, { status: 200 });
    let calls = 0;
    await request(server.url, async () => ({ headers: { authorization: `Bearer t${++calls}` } }), options());
    expect(server.seen.map((seen) => seen.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
    await expect(
      request(server.url, async () => Promise.reject(new Error('no token')), options()),
    ).rejects.toThrow('no token');
  });

  it('reads at most errorBodyBytes of an error answer', async () => {
    server = await stand({ status: 400, body: 'x'.repeat(100_000) });
    const error = await failure(request(server.url, {}, options({ errorBodyBytes: 1024 })));
    expect(error.body).toHaveLength(1024);
    expect(error.detail).toBe(`HTTP 400: ${'x'.repeat(300)}`);
  });
});

describe('requestJson', () => {
  it('parses the answer, and retries one that is not JSON', async () => {
    server = await stand({ status: 200, body: '<html>proxy</html>' }, { status: 200, body: '{"a":1}' });
    await expect(requestJson(server.url, {}, options())).resolves.toMatchObject({ json: { a: 1 } });
    expect(server.seen).toHaveLength(2);
  });
});

describe('requestStream', () => {
  it('hands the body over as a stream, whose wait for data is timed', async () => {
    server = await stand({ chunks: ['one ', 'two'], pauseAfter: 1 });
    const answer = await requestStream(server.url, {}, options({ timeoutMs: 50 }));
    const read: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of answer.body) read.push(Buffer.from(chunk).toString());
      })(),
    ).rejects.toMatchObject({ name: 'HttpError', code: 'TIMEOUT' });
    expect(read).toEqual(['one ']);
    server.release();
  });

  it('does not time a body its reader is slow to take', async () => {
    server = await stand({ chunks: ['one ', 'two'] });
    const answer = await requestStream(server.url, {}, options({ timeoutMs: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 60));
    const read: string[] = [];
    for await (const chunk of answer.body) read.push(Buffer.from(chunk).toString());
    expect(read.join('')).toBe('one two');
  });
});

describe('quoteBody', () => {
  it("takes Google's error message, or the text, made inert", () => {
    expect(quoteBody('{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}')).toBe(
      'denied',
    );
    expect(quoteBody('plain \u001b[31mred')).toBe('plain \\u001b[31mred');
  });
});

describe('the retry schedule', () => {
  it('makes at most `attempts` attempts and never waits past maxDelayMs', async () => {
    server = await stand({ status: 503 });
    const url = server.url;
    const seen = server.seen;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 4000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (attempts, baseDelayMs, maxDelayMs, r) => {
          const before = seen.length;
          const waits: number[] = [];
          const error = await failure(
            request(
              url,
              {},
              {
                service: 'Test API',
                timeoutMs: 2000,
                retry: { attempts, baseDelayMs, maxDelayMs },
                sleep: async (ms) => {
                  waits.push(ms);
                },
                random: () => r,
              },
            ),
          );
          expect(error.attempts).toBe(attempts);
          expect(seen.length - before).toBe(attempts);
          expect(waits).toHaveLength(attempts - 1);
          for (const wait of waits) expect(wait).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
      { numRuns: 30 },
    );
  });
});
