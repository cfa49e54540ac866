import { setTimeout as delay } from 'node:timers/promises';
import type { Alert } from '../../core/alerts/alert.js';
import type { RenderOptions } from '../../core/alerts/inert-text.js';
import { renderGoogleChat } from '../../core/alerts/render-google-chat.js';
import { renderSlack } from '../../core/alerts/render-slack.js';
import { renderTeams } from '../../core/alerts/render-teams.js';
import { terminalSafe } from '../../core/render/terminal-safe.js';
import { backoffDelayMs, DEFAULT_RETRY, type RetryPolicy, retryAfterMs } from '../http/backoff.js';
import { type ChatKind, redactUrl, type Webhook, withoutSecrets, withReplyInThread } from './webhook-url.js';

export type { RetryPolicy } from '../http/backoff.js';
export type { ChatKind, Webhook } from './webhook-url.js';

/**
 * One alert posted to one chat webhook, over Node's `fetch` for all three services. Retries 429, 5xx,
 * network errors and timeouts with backoff, honouring `Retry-After`; any other answer is final. A
 * delivery that still fails comes back `ok: false` for the caller to keep pending and try later: this
 * module never drops an alert silently. No message it returns holds the webhook URL beyond its host.
 */
export interface DeliveryResult {
  readonly ok: boolean;
  readonly attempts: number;
  /** The last HTTP status, when there was an answer. */
  readonly status?: number;
  /** Why it failed, safe to log. */
  readonly error?: string;
  /** Set when the service asked for a longer pause than this delivery waits: try again after it. */
  readonly retryAfterMs?: number;
}

export interface DeliveryOptions extends RenderOptions {
  readonly retry?: RetryPolicy;
  /** Per attempt, answer body included. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** For `Retry-After` given as a date. */
  readonly now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** How much of an error answer is quoted. */
const ERROR_BODY_CHARS = 200;

const CONTENT_TYPE: Readonly<Record<ChatKind, string>> = {
  slack: 'application/json',
  googlechat: 'application/json; charset=UTF-8',
  teams: 'application/json',
};

export function renderPayload(kind: ChatKind, alert: Alert, options: RenderOptions = {}): unknown {
  const renderOptions: RenderOptions = { repeat: options.repeat, previousCount: options.previousCount };
  switch (kind) {
    case 'slack':
      return renderSlack(alert, renderOptions);
    case 'googlechat':
      return renderGoogleChat(alert, renderOptions);
    case 'teams':
      return renderTeams(alert, renderOptions);
  }
}

export async function deliver(
  webhook: Webhook,
  alert: Alert,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  // Checked here because URL errors carry the input, and a bad URL is not worth retrying.
  if (!URL.canParse(webhook.url)) {
    return { ok: false, attempts: 0, error: `the ${webhook.kind} webhook URL is not a valid URL` };
  }
  const url = webhook.kind === 'googlechat' ? withReplyInThread(webhook.url) : webhook.url;
  const body = JSON.stringify(renderPayload(webhook.kind, alert, options));
  return postWithRetry(url, CONTENT_TYPE[webhook.kind], body, webhook.url, options);
}

type Attempt =
  | { readonly outcome: 'delivered'; readonly status: number; readonly retryAfterMs?: undefined }
  | {
      readonly outcome: 'final';
      readonly status: number;
      readonly error: string;
      readonly retryAfterMs?: undefined;
    }
  | {
      readonly outcome: 'retry';
      readonly status?: number;
      readonly error: string;
      readonly retryAfterMs?: number;
    };

const isRetryable = (status: number) => status === 429 || status === 408 || status >= 500;

async function postWithRetry(
  url: string,
  contentType: string,
  body: string,
  secretUrl: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const where = redactUrl(secretUrl);
  for (let attempt = 1; ; attempt += 1) {
    const result = await postOnce(url, contentType, body, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, now);
    const status = result.status !== undefined ? { status: result.status } : {};
    if (result.outcome === 'delivered') return { ok: true, attempts: attempt, ...status };
    const failed = { ok: false, attempts: attempt, ...status };
    const error = `${where}: ${withoutSecrets(result.error, secretUrl)}`;
    if (result.outcome === 'final') return { ...failed, error };
    const wait = result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {};
    if (attempt >= policy.attempts)
      return { ...failed, ...wait, error: `${error} (gave up after ${attempt} attempts)` };
    if (result.retryAfterMs !== undefined && result.retryAfterMs > policy.maxDelayMs) {
      const seconds = Math.ceil(result.retryAfterMs / 1000);
      return {
        ...failed,
        ...wait,
        error: `${error} (asked to wait ${seconds} s, longer than this delivery waits)`,
      };
    }
    await sleep(result.retryAfterMs ?? backoffDelayMs(attempt, policy, random));
  }
}

async function postOnce(
  url: string,
  contentType: string,
  body: string,
  timeoutMs: number,
  now: () => number,
): Promise<Attempt> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      // A webhook that redirects is misconfigured; following it would hand the alert to another host.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (response.ok) return { outcome: 'delivered', status: response.status };
    const error = `HTTP ${response.status}${text ? `: ${terminalSafe(text.slice(0, ERROR_BODY_CHARS))}` : ''}`;
    if (!isRetryable(response.status)) return { outcome: 'final', status: response.status, error };
    const wait = retryAfterMs(response.headers.get('retry-after'), now());
    return {
      outcome: 'retry',
      status: response.status,
      error,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  } catch (error) {
    return { outcome: 'retry', error: describeFailure(error, timeoutMs) };
  }
}

/**
 * From the error's name and code, never its message, which can quote the URL. Duck-typed: errors
 * from `fetch` may come from another realm than this module's `Error`.
 */
function describeFailure(error: unknown, timeoutMs: number): string {
  const { name, cause } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    cause?: { code?: unknown };
  };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = cause?.code;
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)
    ? `network error (${code})`
    : 'network error';
}
