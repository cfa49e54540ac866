import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
 * One alert posted to one chat webhook, over node:http(s) for all three services (it tells whether
 * the body went out, which `fetch` does not). Retries 429, 408, 5xx and failures before the body
 * was sent, with backoff, honouring `Retry-After`; any other answer is final. A post whose body
 * went out but whose answer never came may have landed: it is not sent again (`unconfirmed`),
 * except to Google Chat, where a client-assigned message id makes a repeat answer 409
 * ALREADY_EXISTS instead of posting twice. A delivery that still fails comes back `ok: false` for
 * the caller to keep and try later: this module never drops an alert silently. No message it
 * returns holds the webhook URL beyond its host.
 */
export interface DeliveryResult {
  readonly ok: boolean;
  /** The post went out and its answer was lost: it may have landed. Only with `ok: false`. */
  readonly unconfirmed?: boolean;
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
/** How much of an error answer is read (the rest is dropped with the connection), and quoted. */
export const ERROR_BODY_READ_BYTES = 16 * 1024;
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
  const url =
    webhook.kind === 'googlechat'
      ? withMessageId(withReplyInThread(webhook.url), googleChatMessageId(alert))
      : webhook.url;
  const body = JSON.stringify(renderPayload(webhook.kind, alert, options));
  const post: Post = {
    url: new URL(url),
    contentType: CONTENT_TYPE[webhook.kind],
    body,
    idempotent: webhook.kind === 'googlechat',
  };
  return postWithRetry(post, webhook.url, options);
}

/**
 * Google Chat's client-assigned message id (`messageId` on spaces.messages.create: `client-`, at
 * most 63 lowercase letters, digits and hyphens, unique in the space): one per incident and count,
 * so resending the same update is refused with 409 ALREADY_EXISTS while a grown incident's update
 * is a new message.
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create
 */
export function googleChatMessageId(alert: Pick<Alert, 'alert_id' | 'count'>): string {
  const digest = createHash('sha256').update(`${alert.alert_id}\n${alert.count}`).digest('hex');
  return `client-tt-${digest.slice(0, 40)}`;
}

function withMessageId(url: string, messageId: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has('messageId')) return url;
  parsed.search = `${parsed.search}&messageId=${messageId}`;
  return parsed.toString();
}

/** A 400 that names the client-assigned id: the webhook does not take it. */
function refusesMessageId(post: Post, result: { readonly status: number; readonly error: string }): boolean {
  return post.idempotent && result.status === 400 && /messageId|message_id|client-/i.test(result.error);
}

function withoutMessageId(url: URL): URL {
  const plain = new URL(url);
  plain.searchParams.delete('messageId');
  return plain;
}

interface Post {
  readonly url: URL;
  readonly contentType: string;
  readonly body: string;
  /** A repeat of the same post cannot make a second message (Google Chat's message id). */
  readonly idempotent: boolean;
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
    }
  | {
      /** The body went out and no answer came back: it may have landed. */
      readonly outcome: 'lost';
      readonly status?: undefined;
      readonly error: string;
      readonly retryAfterMs?: undefined;
    };

const isRetryable = (status: number) => status === 429 || status === 408 || status >= 500;

async function postWithRetry(
  initial: Post,
  secretUrl: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const where = redactUrl(secretUrl);
  let post = initial;
  for (let attempt = 1; ; attempt += 1) {
    const result = await postOnce(post, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, now);
    const status = result.status !== undefined ? { status: result.status } : {};
    if (result.outcome === 'delivered') return { ok: true, attempts: attempt, ...status };
    const failed = { ok: false, attempts: attempt, ...status };
    const error = `${where}: ${withoutSecrets(result.error, secretUrl)}`;
    if (result.outcome === 'final' && refusesMessageId(post, result)) {
      // Not verified against Google Chat itself: should a webhook refuse the parameter, post plainly.
      post = { ...post, url: withoutMessageId(post.url), idempotent: false };
      continue;
    }
    if (result.outcome === 'final') return { ...failed, error };
    if (result.outcome === 'lost' && !post.idempotent) {
      return {
        ...failed,
        unconfirmed: true,
        error: `${error} after the message was sent: it may have been posted, so it is not sent again unasked`,
      };
    }
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

class AttemptTimeout extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * One POST. A redirect is not followed (node:http never does): a webhook that redirects is
 * misconfigured, and following it would hand the alert to another host. An error answer is read up
 * to ERROR_BODY_READ_BYTES, then the connection is dropped.
 */
function postOnce(post: Post, timeoutMs: number, now: () => number): Promise<Attempt> {
  return new Promise((resolve) => {
    let bodySent = false;
    let done = false;
    const finish = (attempt: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const send = post.url.protocol === 'http:' ? httpRequest : httpsRequest;
    const request = send(post.url, {
      method: 'POST',
      headers: { 'content-type': post.contentType, 'content-length': Buffer.byteLength(post.body) },
    });
    const timer = setTimeout(() => request.destroy(new AttemptTimeout()), timeoutMs);
    request.on('finish', () => {
      bodySent = true;
    });
    request.on('error', (error) =>
      finish({ outcome: bodySent ? 'lost' : 'retry', error: describeFailure(error, timeoutMs) }),
    );
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const alreadyPosted = post.idempotent && status === 409;
      if ((status >= 200 && status < 300) || alreadyPosted) {
        response.destroy();
        finish({ outcome: 'delivered', status });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const answered = () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const error = `HTTP ${status}${text ? `: ${terminalSafe(text.slice(0, ERROR_BODY_CHARS))}` : ''}`;
        if (!isRetryable(status)) return finish({ outcome: 'final', status, error });
        const header = response.headers['retry-after'];
        const wait = retryAfterMs(typeof header === 'string' ? header : null, now());
        finish({ outcome: 'retry', status, error, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= ERROR_BODY_READ_BYTES) {
          response.destroy();
          answered();
        }
      });
      response.on('end', answered);
      // The answer's status is known even when its body is cut off (by us, the timeout or the peer).
      response.on('close', answered);
      response.on('error', () => undefined);
    });
    request.end(post.body);
  });
}

/**
 * From the error's name and code, never its message, which can quote the URL.
 */
function describeFailure(error: unknown, timeoutMs: number): string {
  const { name, code } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
  };
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)
    ? `network error (${code})`
    : 'network error';
}
