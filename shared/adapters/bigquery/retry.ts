/**
 * What a failure may say about itself: the client's ApiError (`code` the HTTP status, `errors` with
 * BigQuery's reasons), a google-auth-library GaxiosError from the token exchange (status), or a
 * network error (a string code, maybe on a cause).
 */
interface FailureShape {
  readonly status?: unknown;
  readonly code?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
  readonly reasons?: unknown;
  readonly errors?: readonly { readonly reason?: unknown }[];
  readonly response?: {
    readonly body?:
      | { readonly error?: { readonly errors?: readonly { readonly reason?: unknown }[] } }
      | string;
  };
  readonly cause?: unknown;
}

/** Statuses that say "try again": too many requests, and the server-side failures that pass. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Reasons BigQuery gives for failures that may pass on their own (some arrive as 403). */
const TRANSIENT_REASONS = new Set([
  'backendError',
  'internalError',
  'rateLimitExceeded',
  'quotaExceeded',
  'timeout',
]);

/** No answer at all: the connection was refused, reset, dropped or timed out (Node's and undici's codes). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function shapeOf(error: unknown): FailureShape {
  return typeof error === 'object' && error !== null ? (error as FailureShape) : {};
}

/** The HTTP status of a failed call, or null when no response arrived. */
export function httpStatusOf(error: unknown): number | null {
  const { status, code } = shapeOf(error);
  if (typeof status === 'number') return status;
  return typeof code === 'number' ? code : null;
}

/**
 * BigQuery's reasons. The client's retryableErrorFn gets an ApiError that reads them from the
 * response's text; when the answer's content type made teeny-request parse the body already, they
 * are only on `response.body`.
 */
function reasonsOf(error: unknown): string[] {
  const { reasons, errors, response } = shapeOf(error);
  let listed: unknown[] = Array.isArray(reasons) ? reasons : (errors ?? []).map((entry) => entry?.reason);
  if (listed.length === 0 && typeof response?.body === 'object' && response.body !== null) {
    listed = (response.body.error?.errors ?? []).map((entry) => entry?.reason);
  }
  return listed.filter((reason): reason is string => typeof reason === 'string');
}

/** The first string `code` along an error's causes (a wrapped socket error keeps its code in `cause`). */
function networkCodeOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, cause } = current as FailureShape;
    if (typeof code === 'string') return code;
    current = cause;
  }
  return null;
}

/**
 * The client's `retryableErrorFn`, and what the store's messages call transient:, transient BigQuery reasons, and failures with no response at all (reset, refused, dropped, timeout). */
export function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === null) {
    const code = networkCodeOf(error);
    return (code !== null && NETWORK_CODES.has(code)) || shapeOf(error).type === 'request-timeout';
  }
  if (TRANSIENT_STATUSES.has(status)) return true;
  return reasonsOf(error).some((reason) => TRANSIENT_REASONS.has(reason));
}

/**
 * A short account of a failure for messages, on one line: `HTTP 403 accessDenied: Access Denied: …`
 * (status, BigQuery's first reason, its message), or `ECONNRESET request to … failed, reason: socket hang up`.
 */
export function describeFailure(error: unknown): string {
  const message = String(shapeOf(error).message ?? error)
    .replaceAll(/\s+/g, ' ')
    .trim();
  const status = httpStatusOf(error);
  if (status !== null) {
    const [reason] = reasonsOf(error);
    return `HTTP ${status}${reason === undefined ? '' : ` ${reason}:`} ${message}`;
  }
  const code = networkCodeOf(error);
  return code !== null && !message.includes(code) ? `${code} ${message}` : message;
}
