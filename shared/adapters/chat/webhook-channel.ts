import { createHash } from 'node:crypto';
import type { AlertChannel } from '../../pipeline/ports.js';
import { type DeliveryOptions, deliver } from './webhook-delivery.js';
import { redactUrl, type Webhook } from './webhook-url.js';

/**
 * The channel's key in the alerts table's delivery state: kind, host and a digest of the whole URL,
 * so two webhooks on one host (every Slack webhook is on hooks.slack.com) keep separate state. The
 * digest is of a URL that carries a long random secret, so it cannot be turned back into it.
 */
function webhookKey(name: string, url: string): string {
  return `${name} ${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

/** A chat webhook as the pipeline's AlertChannel; its name shows the host only, never the secret URL. */
export function webhookChannel(webhook: Webhook, options: DeliveryOptions = {}): AlertChannel {
  const name = `${webhook.kind} ${redactUrl(webhook.url)}`;
  return {
    name,
    key: webhookKey(name, webhook.url),
    async send(alert, previouslyDelivered) {
      const repeat = previouslyDelivered > 0;
      const result = await deliver(webhook, alert, {
        ...options,
        repeat,
        ...(repeat ? { previousCount: previouslyDelivered } : {}),
      });
      if (result.ok) return { ok: true, attempts: result.attempts };
      return {
        ok: false,
        attempts: result.attempts,
        error: result.error ?? `HTTP ${result.status ?? '?'}`,
        ...(result.unconfirmed ? { unconfirmed: true } : {}),
      };
    },
  };
}
