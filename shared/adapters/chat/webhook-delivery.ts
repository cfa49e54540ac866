import { createHash } from 'node:crypto';
import type { Alert } from '../../core/alerts/alert.js';
import type { RenderOptions } from '../../core/alerts/inert-text.js';
import { renderGoogleChat } from '../../core/alerts/render-google-chat.js';
import { renderSlack } from '../../core/alerts/render-slack.js';
import { renderTeams } from '../../core/alerts/render-teams.js';
import { terminalSafe } from '../../core/render/terminal-safe.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../http/backoff.js';
import { DEFAULT_ERROR_BODY_BYTES, HttpError, requestStream } from '../http/http-client.js';
import { type ChatKind, redactUrl, type Webhook, withoutSecrets, withReplyInThread } from './webhook-url.js';

export type { RetryPolicy } from '../http/backoff.js';
export type { ChatKind, Webhook } from './webhook-url.js';

/**
 * One alert posted to one chat webhook, through the shared HTTP client for all three services.
 * Retries 429, 408, 5xx and failures before a connection existed, with backoff, honouring
 * `Retry-After`; any other answer is final. A post that may have reached the service but whose
 * answer never came (a timeout, a dropped connection) may have landed: it is not sent again (`unconfirmed`),
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
export const ERROR_BODY_READ_BYTES = DEFAULT_ERROR_BODY_BYTES;
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
function refusesMessageId(post: Post, error: HttpError): boolean {
  return post.idempotent && error.status === 400 && /messageId|message_id|client-/i.test(error.body);
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

async function postWithRetry(
  initial: Post,
  secretUrl: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const where = redactUrl(secretUrl);
  let post = initial;
  let earlier = 0;
  for (;;) {
    try {
      // A stream, so a 2xx is taken as delivered without waiting for its body.
      const answer = await requestStream(
        post.url,
        { method: 'POST', headers: { 'content-type': post.contentType }, body: post.body },
        {
          service: 'chat webhook',
          where,
          timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          retry: options.retry ?? DEFAULT_RETRY,
          idempotent: post.idempotent,
          errorBodyBytes: ERROR_BODY_READ_BYTES,
          ...(options.sleep ? { sleep: options.sleep } : {}),
          ...(options.random ? { random: options.random } : {}),
          ...(options.now ? { now: options.now } : {}),
        },
      );
      answer.body.destroy();
      return { ok: true, attempts: earlier + answer.attempts, status: answer.status };
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const attempts = earlier + error.attempts;
      // Google Chat's answer to a message id it has already posted: this alert is there.
      if (post.idempotent && error.status === 409) return { ok: true, attempts, status: 409 };
      if (refusesMessageId(post, error)) {
        // Not verified against Google Chat itself: should a webhook refuse the parameter, post plainly.
        post = { ...post, url: withoutMessageId(post.url), idempotent: false };
        earlier = attempts;
        continue;
      }
      return failed(error, post, attempts, `${where}: ${withoutSecrets(reasonOf(error), secretUrl)}`);
    }
  }
}

/** From the status and answer, or the failure's kind and code: never the error's own text, which can quote the URL. */
function reasonOf(error: HttpError): string {
  if (error.code !== 'HTTP_STATUS') return error.detail;
  const text = error.body.slice(0, ERROR_BODY_CHARS);
  return `HTTP ${error.status}${text ? `: ${terminalSafe(text)}` : ''}`;
}

function failed(error: HttpError, post: Post, attempts: number, reason: string): DeliveryResult {
  const status = error.code === 'HTTP_STATUS' && error.status !== undefined ? { status: error.status } : {};
  const base = { ok: false, attempts, ...status };
  if (error.unconfirmed && !post.idempotent) {
    return {
      ...base,
      unconfirmed: true,
      error: `${reason}, and the message may have been sent: it is not sent again unasked`,
    };
  }
  const wait = error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {};
  return { ...base, ...wait, error: `${reason}${error.gaveUp.replace('this client', 'this delivery')}` };
}
