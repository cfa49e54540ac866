export interface RetryPolicy {
  /** Total tries of one request, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter ("equal jitter": between half and all of the exponential step). */
export function backoffDelay(
  policy: RetryPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

interface ClientError {
  readonly code?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
  readonly errors?: readonly { readonly reason?: unknown }[];
}

/** Reasons BigQuery gives for failures that may pass on their own (some arrive as 403). */
const TRANSIENT_REASONS = new Set([
  'backendError',
  'internalError',
  'rateLimitExceeded',
  'quotaExceeded',
  'timeout',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** The HTTP status of a failed client call, or null when no response arrived. */
export function httpStatusOf(error: unknown): number | null {
  const code = (error as ClientError | null)?.code;
  return typeof code === 'number' ? code : null;
}

/** HTTP 429 and 5xx, transient BigQuery reasons, and failures with no response at all (reset, refused, timeout). */
export function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === null) {
    const { code, type } = (error ?? {}) as ClientError;
    return (typeof code === 'string' && NETWORK_CODES.has(code)) || type === 'request-timeout';
  }
  if (status === 429 || status >= 500) return true;
  const reasons = (error as ClientError).errors ?? [];
  return reasons.some((entry) => typeof entry.reason === 'string' && TRANSIENT_REASONS.has(entry.reason));
}

/** A short account of a failure for messages: `HTTP 503 backend unavailable` or `ECONNRESET socket hang up`. */
export function describeFailure(error: unknown): string {
  const status = httpStatusOf(error);
  const code = (error as ClientError | null)?.code;
  const message = String((error as ClientError | null)?.message ?? error)
    .replaceAll(/\s+/g, ' ')
    .trim();
  if (status !== null) return `HTTP ${status} ${message}`;
  return typeof code === 'string' ? `${code} ${message}` : message;
}
