import type { Command } from 'commander';
import { webhookChannel } from '../shared/adapters/chat/webhook-channel.js';
import { parseWebhookFlag } from '../shared/adapters/chat/webhook-url.js';
import {
  isSecretReference,
  type ResolveSecretDeps,
  resolveSecret,
} from '../shared/adapters/secrets/resolve-secret.js';
import type { AlertChannel } from '../shared/pipeline/ports.js';

export interface WebhookFlags {
  webhook?: string[];
}

export function withWebhookOption(command: Command): Command {
  return command.option(
    '--webhook <kind=url>',
    'deliver alerts to slack=…, googlechat=… or teams=…, each a URL or a reference read at start-up: ' +
      'env:NAME, ssm:/param/path, secretsmanager:NAME_OR_ARN, gcpsecret:projects/P/secrets/S[/versions/V] ' +
      '(repeatable; default: $TOKENTRAIL_WEBHOOKS, space-separated). Prefer references: arguments show in process lists',
    (value: string, previous: string[] = []) => [...previous, value],
  );
}

/**
 * The chat channels named on the command line, else in TOKENTRAIL_WEBHOOKS: `KIND=URL`, or `KIND=REF`
 * with REF resolved by resolveSecret (`env:` reads `env`, not process.env). URLs are secrets: never printed.
 */
export async function channelsFrom(
  flags: WebhookFlags,
  env: Readonly<Record<string, string | undefined>>,
  deps: Omit<ResolveSecretDeps, 'env'> = {},
): Promise<AlertChannel[]> {
  const specs = flags.webhook ?? (env.TOKENTRAIL_WEBHOOKS ?? '').split(/\s+/).filter(Boolean);
  const webhooks = await Promise.all(specs.map((spec) => resolveSpec(spec, env, deps)));
  return webhooks.map((spec) => webhookChannel(parseWebhookFlag(spec)));
}

/** `KIND=REF` becomes `KIND=<resolved URL>`; anything else is left to parseWebhookFlag, as before. */
async function resolveSpec(
  spec: string,
  env: Readonly<Record<string, string | undefined>>,
  deps: Omit<ResolveSecretDeps, 'env'>,
): Promise<string> {
  const separator = spec.indexOf('=');
  if (separator <= 0) return spec;
  const kind = spec.slice(0, separator).trim();
  const reference = spec.slice(separator + 1).trim();
  if (!isSecretReference(reference)) return spec;
  parseWebhookFlag(`${kind}=https://placeholder.invalid/`); // a bad KIND fails before any secret is read
  const url = (await resolveSecret(reference, { ...deps, env })).trim();
  // Check it here so the error can name the reference: parseWebhookFlag's own never shows the URL.
  try {
    parseWebhookFlag(`${kind}=${url}`);
  } catch (error) {
    throw new Error(`${reference}: ${(error as Error).message}`);
  }
  return `${kind}=${url}`;
}
