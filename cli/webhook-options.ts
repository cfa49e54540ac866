import type { Command } from 'commander';
import type { ResolveSecretDeps } from '../shared/adapters/secrets/resolve-secret.js';
import type { AlertChannel } from '../shared/pipeline/ports.js';
import type { CliIo } from './cli-io.js';
import { settingsOf } from './cli-settings.js';

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

/** The chat channels named on the command line, else in TOKENTRAIL_WEBHOOKS; `env:` references read the CLI's environment. */
export async function channelsFrom(
  flags: WebhookFlags,
  io: Pick<CliIo, 'env'>,
  deps: Omit<ResolveSecretDeps, 'env'> = {},
): Promise<AlertChannel[]> {
  const { channelsFromSpecs } = await import('../shared/adapters/chat/channels-from-env.js');
  return channelsFromSpecs(flags.webhook ?? settingsOf(io).webhookSpecs, io.env, deps);
}
