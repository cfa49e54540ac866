import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { terminalSafe } from '../../core/render/terminal-safe.js';
import { backoffDelayMs, type RetryPolicy, retryAfterMs, type Sleep } from './backoff.js';

export type { RetryPolicy, Sleep } from './backoff.js';

/**
 * The one HTTP client of the adapters: the platform `fetch`, one timeout rule, one retry policy
 * (backoff.ts, `Retry-After` honoured) and one error, `HttpError`. Redirects are never followed
 * (a 3xx is an answer like any other), and no error message carries a query string or a body.
 * docs/decisions/0011-one-http-stack.md says why fetch and not node:http.
 */
export interface HttpInit {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly headers?: Headers | Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpOptions {
  /** Who is being called, for messages: `Cloud Logging entries.list`, `Slack webhook`. */
  readonly service: string;
  /**
   * No progress for this long fails the attempt: no answer yet, or no body bytes while the body is
   * being read. A streamed body is timed only while its reader waits for bytes.
   */
  readonly timeoutMs: number;
  /** Left out: one attempt, no retry. */
  readonly retry?: RetryPolicy;
  /**
   * A repeat cannot do harm (a read, or a write the server deduplicates). Otherwise a request that
   * failed after it may have reached the server is not sent again: it ends `unconfirmed`.
   * Default: true for GET, false for anything else.
   */
  readonly idempotent?: boolean;
  /** How the URL is named in messages; default its origin and path (the query is dropped). */
  readonly where?: string;
  /** The most bytes of an error answer read (the rest is dropped with the connection). */
  readonly errorBodyBytes?: number;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** For `Retry-After` given as an HTTP date. */
  readonly now?: () => number;
}

export const DEFAULT_ERROR_BODY_BYTES = 16 * 1024;
const QUOTE_CHARS = 300;

/** Failed attempts worth another: 408, 429 and 5xx answers, and every failure with no answer. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Network failures that happen before a connection exists: the request cannot have been seen. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export type HttpErrorCode =
  /** An answer that is not 2xx; `status` says which. */
  | 'HTTP_STATUS'
  /** No progress within `timeoutMs`. */
  | 'TIMEOUT'
  /** A 2xx whose body `requestJson` could not parse. */
  | 'BAD_JSON'
  /** A network failure; `networkCode` holds the system's or undici's code when there was one. */
  | 'NETWORK';

export interface HttpErrorDetails {
  readonly service: string;
  readonly where: string;
  readonly code: HttpErrorCode;
  readonly status?: number | undefined;
  readonly networkCode?: string | undefined;
  readonly retryable: boolean;
  readonly unconfirmed: boolean;
  readonly attempts: number;
  readonly retryAfterMs?: number | undefined;
  readonly timeoutMs?: number;
  readonly body?: string;
  readonly headers?: Headers;
  readonly gaveUp?: string;
  readonly cause?: unknown;
}

/**
 * Why a request failed, after its retries. `message` is `SERVICE at WHERE: DETAIL (gave up after N
 * attempts)`: no query string, and of an error answer only its sentence (`quoteBody`), which a
 * server can make echo the request; `detail` alone is for callers that name the place themselves
 * or must scrub it. `body` is the error answer as sent (bounded), to parse, not to print.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly service: string;
  readonly where: string;
  readonly code: HttpErrorCode;
  readonly status: number | undefined;
  readonly networkCode: string | undefined;
  /** Another attempt later may succeed. */
  readonly retryable: boolean;
  /** The request may have reached the server though no answer came back. */
  readonly unconfirmed: boolean;
  readonly attempts: number;
  /** The wait the server asked for, when it asked for longer than the retry policy waits. */
  readonly retryAfterMs: number | undefined;
  readonly body: string;
  readonly headers: Headers;
  readonly detail: string;
  /** Why the retries stopped, as the message ends: ` (gave up after 4 attempts)`, or empty. */
  readonly gaveUp: string;

  constructor(details: HttpErrorDetails) {
    const detail = describe(details);
    super(`${details.service} at ${details.where}: ${detail}${details.gaveUp ?? ''}`, {
      cause: details.cause,
    });
    this.service = details.service;
    this.where = details.where;
    this.code = details.code;
    this.status = details.status;
    this.networkCode = details.networkCode;
    this.retryable = details.retryable;
    this.unconfirmed = details.unconfirmed;
    this.attempts = details.attempts;
    this.retryAfterMs = details.retryAfterMs;
    this.body = details.body ?? '';
    this.headers = details.headers ?? new Headers();
    this.detail = detail;
    this.gaveUp = details.gaveUp ?? '';
  }
}

function describe(details: HttpErrorDetails): string {
  switch (details.code) {
    case 'HTTP_STATUS': {
      const quoted = quoteBody(details.body ?? '');
      return `HTTP ${details.status}${quoted ? `: ${quoted}` : ''}`;
    }
    case 'TIMEOUT':
      return `no answer within ${details.timeoutMs} ms`;
    case 'BAD_JSON':
      return 'an answer that is not JSON';
    case 'NETWORK':
      return details.networkCode ? `network error (${details.networkCode})` : 'network error';
  }
}

/**
 * The sentence an error answer carries, one line, for messages: Google's `{"error":{"message"}}`,
 * else the start of the text, made inert (terminalSafe).
 */
export function quoteBody(body: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message =
      typeof parsed.error === 'object' && typeof parsed.error?.message === 'string'
        ? parsed.error.message
        : typeof parsed.error === 'string'
          ? parsed.error
          : typeof parsed.message === 'string'
            ? parsed.message
            : undefined;
    if (message !== undefined) text = message;
  } catch {
    // not JSON: quote the text
  }
  return terminalSafe(text.slice(0, QUOTE_CHARS).trim());
}

/** Origin and path, never the query (tokens, signatures) or the fragment. */
export function redactedUrl(url: URL): string {
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
}

export interface HttpTextResponse {
  readonly status: number;
  /** Attempts made, this one included. */
  readonly attempts: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface HttpJsonResponse<T> {
  readonly status: number;
  /** Attempts made, this one included. */
  readonly attempts: number;
  readonly headers: Headers;
  readonly json: T;
}

export interface HttpStreamResponse {
  readonly status: number;
  /** Attempts made, this one included. */
  readonly attempts: number;
  readonly headers: Headers;
  /** The body chunk by chunk; `destroy()` releases the connection when the reader stops early. */
  readonly body: Readable;
}

/** The init, or a function called before each attempt for it (fresh credentials, pacing). */
export type InitSource = HttpInit | (() => Promise<HttpInit>);

/** A 2xx with its body read as text. Anything else throws HttpError. */
export function request(
  url: string | URL,
  init: InitSource,
  options: HttpOptions,
): Promise<HttpTextResponse> {
  return withRetry(url, init, options, async (response, timer) => ({
    status: response.status,
    headers: response.headers,
    text: await readBody(response, Number.POSITIVE_INFINITY, timer),
  }));
}

/** A 2xx with its body parsed as JSON; a body that is not JSON is a failed attempt (retried). */
export function requestJson<T = unknown>(
  url: string | URL,
  init: InitSource,
  options: HttpOptions,
): Promise<HttpJsonResponse<T>> {
  return withRetry(url, init, options, async (response, timer) => {
    const text = await readBody(response, Number.POSITIVE_INFINITY, timer);
    try {
      return { status: response.status, headers: response.headers, json: JSON.parse(text || 'null') as T };
    } catch (error) {
      throw new AttemptFailure({ code: 'BAD_JSON', retryable: true, unconfirmed: false, cause: error });
    }
  });
}

/**
 * A 2xx whose body is the caller's to read as it arrives (the fetch body as a Node stream, as
 * `Readable.fromWeb` gives it, with the idle timeout kept).
 */
export function requestStream(
  url: string | URL,
  init: InitSource,
  options: HttpOptions,
): Promise<HttpStreamResponse> {
  const where = whereOf(url, options);
  return withRetry(url, init, options, async (response, timer) => ({
    status: response.status,
    headers: response.headers,
    body: timedReadable(
      response.body,
      timer,
      () =>
        new HttpError({
          service: options.service,
          where,
          code: 'TIMEOUT',
          timeoutMs: options.timeoutMs,
          retryable: true,
          unconfirmed: true,
          attempts: 1,
        }),
    ),
  }));
}

type AttemptFailureDetails = Omit<HttpErrorDetails, 'service' | 'where' | 'attempts' | 'gaveUp'>;

/** One attempt's failure, before the retry loop decides what to do with it. */
class AttemptFailure extends Error {
  constructor(readonly details: AttemptFailureDetails) {
    super(details.code);
  }
}

/** An attempt's timeout: armed while waiting on the network only. */
interface AttemptTimer {
  readonly signal: AbortSignal;
  readonly timedOut: () => boolean;
  arm(): void;
  disarm(): void;
}

/** The abort reason of a timeout: fetch rejects, and its body errors, with it as it is. */
const TIMED_OUT = new Error('timed out');

function attemptTimer(timeoutMs: number): AttemptTimer {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const disarm = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    signal: controller.signal,
    timedOut: () => controller.signal.aborted,
    arm() {
      disarm();
      timer = setTimeout(() => controller.abort(TIMED_OUT), timeoutMs);
    },
    disarm,
  };
}

function whereOf(url: string | URL, options: HttpOptions): string {
  return options.where ?? redactedUrl(typeof url === 'string' ? new URL(url) : url);
}

async function withRetry<T extends object>(
  url: string | URL,
  init: InitSource,
  options: HttpOptions,
  accept: (response: Response, timer: AttemptTimer) => Promise<T>,
): Promise<T & { readonly attempts: number }> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const where = whereOf(target, options);
  const policy = options.retry ?? { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt += 1) {
    const current = typeof init === 'function' ? await init() : init;
    const idempotent = options.idempotent ?? (current.method ?? 'GET') === 'GET';
    let failure: AttemptFailureDetails;
    try {
      return { ...(await once(target, current, options, accept)), attempts: attempt };
    } catch (error) {
      if (!(error instanceof AttemptFailure)) throw error;
      failure = error.details;
    }
    const fail = (gaveUp = '', retryAfter?: number) =>
      new HttpError({
        ...failure,
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
        service: options.service,
        where,
        attempts: attempt,
        gaveUp,
      });
    if (!failure.retryable || (failure.unconfirmed && !idempotent)) throw fail();
    const asked = failure.headers ? retryAfterMs(failure.headers.get('retry-after'), now()) : undefined;
    if (attempt >= policy.attempts) {
      throw fail(attempt > 1 ? ` (gave up after ${attempt} attempts)` : '', asked);
    }
    if (asked !== undefined && asked > policy.maxDelayMs) {
      throw fail(` (asked to wait ${Math.ceil(asked / 1000)} s, longer than this client waits)`, asked);
    }
    await sleep(asked ?? backoffDelayMs(attempt, policy, random));
  }
}

async function once<T>(
  url: URL,
  init: HttpInit,
  options: HttpOptions,
  accept: (response: Response, timer: AttemptTimer) => Promise<T>,
): Promise<T> {
  const timer = attemptTimer(options.timeoutMs);
  const timeoutMs = options.timeoutMs;
  timer.arm();
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      ...(init.headers === undefined ? {} : { headers: init.headers }),
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
      signal: timer.signal,
    });
  } catch (error) {
    throw new AttemptFailure(failureOf(error, timer, timeoutMs));
  } finally {
    timer.disarm();
  }
  try {
    if (response.status >= 200 && response.status < 300) return await accept(response, timer);
    const body = await readBody(response, options.errorBodyBytes ?? DEFAULT_ERROR_BODY_BYTES, timer);
    throw new AttemptFailure({
      code: 'HTTP_STATUS',
      status: response.status,
      retryable: isRetryableStatus(response.status),
      unconfirmed: false,
      body,
      headers: response.headers,
    });
  } catch (error) {
    if (error instanceof AttemptFailure) throw error;
    // The head came and the body failed: whether the server acted is known to it only.
    throw new AttemptFailure({ ...failureOf(error, timer, timeoutMs), status: response.status });
  }
}

function failureOf(error: unknown, timer: AttemptTimer, timeoutMs: number): AttemptFailureDetails {
  if (error === TIMED_OUT || timer.timedOut()) {
    return { code: 'TIMEOUT', timeoutMs, retryable: true, unconfirmed: true };
  }
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z_]{2,40}$/.test(cause.code) ? cause.code : undefined;
  return {
    code: 'NETWORK',
    networkCode: code,
    retryable: true,
    unconfirmed: code === undefined || !NOT_SENT.has(code),
    cause: error,
  };
}

/** A body as text, up to `limit` bytes; past it the rest is cancelled, which drops the connection. */
async function readBody(response: Response, limit: number, timer: AttemptTimer): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      timer.arm();
      const { done, value } = await reader.read();
      timer.disarm();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size >= limit) {
        await reader.cancel().catch(() => undefined);
        break;
      }
    }
  } finally {
    timer.disarm();
    reader.releaseLock();
  }
  const bytes = Buffer.concat(chunks);
  return bytes.subarray(0, Math.min(bytes.length, limit)).toString('utf8');
}

/** A fetch body as a Node stream whose timeout runs only while it waits for the next chunk. */
function timedReadable(
  body: ReadableStream<Uint8Array> | null,
  timer: AttemptTimer,
  timeoutError: () => Error,
): Readable {
  const reader = body?.getReader();
  return new Readable({
    read() {
      if (!reader) {
        this.push(null);
        return;
      }
      timer.arm();
      reader.read().then(
        ({ done, value }) => {
          timer.disarm();
          if (this.destroyed) return;
          this.push(done ? null : value);
        },
        (error: unknown) => {
          timer.disarm();
          if (!this.destroyed) this.destroy(timer.timedOut() ? timeoutError() : (error as Error));
        },
      );
    },
    destroy(error, callback) {
      timer.disarm();
      if (reader) reader.cancel(error ?? undefined).catch(() => undefined);
      callback(error);
    },
  });
}
