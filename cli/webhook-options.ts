import type { Command } from 'commander';
import { webhookChannel } from '../shared/adapters/chat/webhook-channel.js';
import { parseWebhookFlag } from '../shared/adapters/chat/webhook-url.js';
import type { AlertChannel } from '../shared/pipeline/ports.js';

export interface WebhookFlags {
  webhook?: string[];
}

export function withWebhookOption(command: Command): Command {
  return command.option(
    '--webhook <kind=url>',
    'deliver alerts to slack=URL, googlechat=URL or teams=URL (repeatable; default: $TOKENTRAIL_WEBHOOKS, space-separated). Prefer the variable: arguments show in process lists',
    (value: string, previous: string[] = []) => [...previous, value],
  );
}

/** The chat channels named on the command line, else in TOKENTRAIL_WEBHOOKS. URLs are secrets: never printed. */
export function channelsFrom(
  flags: WebhookFlags,
  env: Readonly<Record<string, string | undefined>>,
): AlertChannel[] {
  const specs = flags.webhook ?? (env.TOKENTRAIL_WEBHOOKS ?? '').split(/\s+/).filter(Boolean);
  return specs.map((spec) => webhookChannel(parseWebhookFlag(spec)));
}
