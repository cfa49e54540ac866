import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { terminalSafe } from '../../core/render/terminal-safe.js';
import { backoffDelayMs, type RetryPolicy, retryAfterMs, type Sleep } from './backoff.js';

export type { RetryPolicy, Sleep } from './backoff.js';

/**
 * The one HTTP client of the adapters: node:http(s), the transport the AWS SDK and the Google
 * clients use underneath too, one timeout rule, one retry policy (backoff.ts, `Retry-After`
 * honoured) and one error, `HttpError`. Redirects are never followed (a 3xx is an answer like any
 * other), no body is decompressed, and no error message carries a query string or a body.
 * docs/decisions/0011-one-http-stack.md says why node:http and not fetch.
 */
export interface HttpInit {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A plain record, or the `Headers` google-auth-library's clients give. */
  readonly headers?: Headers | Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An answer's headers, read by name (any case), as fetch's `Headers.get` reads them. */
export class ResponseHeaders {
  constructor(private readonly raw: IncomingHttpHeaders = {}) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
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
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

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
  readonly headers?: ResponseHeaders;
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
  readonly headers: ResponseHeaders;
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
    this.headers = details.headers ?? new ResponseHeaders();
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
  readonly headers: ResponseHeaders;
  readonly text: string;
}

export interface HttpJsonResponse<T> {
  readonly status: number;
  /** Attempts made, this one included. */
  readonly attempts: number;
  readonly headers: ResponseHeaders;
  readonly json: T;
}

export interface HttpStreamResponse {
  readonly status: number;
  /** Attempts made, this one included. */
  readonly attempts: number;
  readonly headers: ResponseHeaders;
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

/** A 2xx whose body is the caller's to read as it arrives, with the idle timeout kept. */
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

/** The abort reason of a timeout. */
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
  accept: (response: Answer, timer: AttemptTimer) => Promise<T>,
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
  accept: (response: Answer, timer: AttemptTimer) => Promise<T>,
): Promise<T> {
  const timer = attemptTimer(options.timeoutMs);
  const timeoutMs = options.timeoutMs;
  timer.arm();
  let response: Answer;
  try {
    response = await send(url, init, timer.signal);
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
  const code = networkCodeOf(error);
  return {
    code: 'NETWORK',
    networkCode: code,
    retryable: true,
    unconfirmed: code === undefined || !NOT_SENT.has(code),
    cause: error,
  };
}

/** The system's code of a network failure (`ECONNRESET`), on the error or its cause. */
function networkCodeOf(error: unknown): string | undefined {
  for (const candidate of [error, (error as { cause?: unknown } | null)?.cause]) {
    const code = (candidate as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return code;
  }
  return undefined;
}

/** An answer's head, and its body to read. */
interface Answer {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly body: IncomingMessage;
}

/** One request over node:http(s); resolves when the answer's head arrives. */
function send(url: URL, init: HttpInit, signal: AbortSignal): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (typeof (init.headers as Headers | undefined)?.forEach === 'function') {
    (init.headers as Headers).forEach((value, name) => {
      headers[name] = value;
    });
  } else Object.assign(headers, init.headers);
  if (
    init.body !== undefined &&
    !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')
  ) {
    headers['content-length'] = String(Buffer.byteLength(init.body));
  }
  const open = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = open(url, { method: init.method ?? 'GET', headers, signal }, (answer) => {
      resolve({ status: answer.statusCode ?? 0, headers: new ResponseHeaders(answer.headers), body: answer });
    });
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

/** A body as text, up to `limit` bytes; past it the rest is dropped with the connection. */
async function readBody(response: Answer, limit: number, timer: AttemptTimer): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const chunksOf = response.body[Symbol.asyncIterator]();
  try {
    for (;;) {
      timer.arm();
      const { done, value } = await chunksOf.next();
      timer.disarm();
      if (done) break;
      chunks.push(value as Buffer);
      size += (value as Buffer).length;
      if (size >= limit) {
        response.body.destroy();
        break;
      }
    }
  } finally {
    timer.disarm();
  }
  const bytes = Buffer.concat(chunks);
  return bytes.subarray(0, Math.min(bytes.length, limit)).toString('utf8');
}

/** A body as a Node stream whose timeout runs only while it waits for the next chunk. */
function timedReadable(body: IncomingMessage, timer: AttemptTimer, timeoutError: () => Error): Readable {
  const chunksOf = body[Symbol.asyncIterator]();
  return new Readable({
    read() {
      timer.arm();
      chunksOf.next().then(
        ({ done, value }) => {
          timer.disarm();
          if (this.destroyed) return;
          this.push(done ? null : (value as Buffer));
        },
        (error: unknown) => {
          timer.disarm();
          if (!this.destroyed) this.destroy(timer.timedOut() ? timeoutError() : (error as Error));
        },
      );
    },
    destroy(error, callback) {
      timer.disarm();
      body.destroy();
      callback(error);
    },
  });
}
