import type { AlertChannel } from '../../pipeline/ports.js';
import { isSecretReference, type ResolveSecretDeps, resolveSecret } from '../secrets/resolve-secret.js';
import { webhookChannel } from './webhook-channel.js';
import { parseWebhookFlag } from './webhook-url.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The chat channels for `KIND=URL` or `KIND=REF` specs, with REF resolved by resolveSecret
 * (`env:` reads `env`, not process.env). URLs are secrets: never printed.
 */
export async function channelsFromSpecs(
  specs: readonly string[],
  env: Env,
  deps: Omit<ResolveSecretDeps, 'env'> = {},
): Promise<AlertChannel[]> {
  const webhooks = await Promise.all(specs.map((spec) => resolveSpec(spec, env, deps)));
  return webhooks.map((spec) => webhookChannel(parseWebhookFlag(spec)));
}

/** `KIND=REF` becomes `KIND=<resolved URL>`; anything else is left to parseWebhookFlag, as before. */
async function resolveSpec(spec: string, env: Env, deps: Omit<ResolveSecretDeps, 'env'>): Promise<string> {
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
