import type { AlertChannel } from '../../pipeline/ports.js';
import { type DeliveryOptions, deliver } from './webhook-delivery.js';
import { redactUrl, type Webhook } from './webhook-url.js';

/** A chat webhook as the pipeline's AlertChannel; its name shows the host only, never the secret URL. */
export function webhookChannel(webhook: Webhook, options: DeliveryOptions = {}): AlertChannel {
  return {
    name: `${webhook.kind} ${redactUrl(webhook.url)}`,
    async send(alert, previouslyDelivered) {
      const repeat = previouslyDelivered > 0;
      const result = await deliver(webhook, alert, {
        ...options,
        repeat,
        ...(repeat ? { previousCount: previouslyDelivered } : {}),
      });
      return result.ok ? { ok: true } : { ok: false, error: result.error ?? `HTTP ${result.status ?? '?'}` };
    },
  };
}
