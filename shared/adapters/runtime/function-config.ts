import { DEFAULT_LIMITS, type DecodeLimits } from '../../sources/limits.js';
import { type Env, readSettings, type Settings, SettingsError } from '../config/settings.js';
import { parseStoreUri, type StoreLocation } from '../store/store-uri.js';

/** Everything a deployed function reads from its environment, read once per cold start. */
export interface FunctionConfig {
  /** TOKENTRAIL_STORE: `bigquery://PROJECT/DATASET` in the cloud; a DuckDB path in tests. */
  readonly store: StoreLocation;
  /** TOKENTRAIL_BIGQUERY_ENDPOINT: another BigQuery API root (tests). */
  readonly bigQueryEndpoint: string | null;
  /** TOKENTRAIL_S3_ENDPOINT: another S3 API root, path-style (tests, S3-compatible stores). */
  readonly s3Endpoint: string | null;
  /** TOKENTRAIL_POLICY: the policy file shipped with the function; none turns the policy checks off. */
  readonly policyPath: string | null;
  /** TOKENTRAIL_WEBHOOKS: `KIND=REF` entries, REF a secret reference (ssm:, secretsmanager:, gcpsecret:, env:). */
  readonly webhookSpecs: readonly string[];
  /** TOKENTRAIL_LOOKBACK: how far back in event time the scheduled detection looks (default 2h). */
  readonly lookbackMs: number;
  /** TOKENTRAIL_MAX_DECOMPRESSED_BYTES: the cap on one S3 object's expanded size. */
  readonly limits: DecodeLimits;
}

export class FunctionConfigError extends Error {
  override readonly name = 'FunctionConfigError';
}

/**
 * A deployed function's configuration, from its settings (shared/adapters/config/settings.ts)
 * and what a function needs beyond the CLI: a store named, and webhooks only as secret
 * references. Every mistake is named at once: a function that starts with half a configuration
 * would fail on its first event instead.
 */
export function parseFunctionConfig(env: Env): FunctionConfig {
  const problems: string[] = [];
  let settings: Settings | undefined;
  try {
    settings = readSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    problems.push(...error.problems);
  }

  const storeText = settings?.store ?? env.TOKENTRAIL_STORE?.trim();
  let store: StoreLocation = { kind: 'duckdb', path: ':memory:' };
  if (!storeText) problems.push('TOKENTRAIL_STORE is not set (e.g. bigquery://my-project/tokentrail)');
  else {
    try {
      store = parseStoreUri(storeText);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }

  const webhookSpecs = settings?.webhookSpecs ?? (env.TOKENTRAIL_WEBHOOKS ?? '').split(/\s+/).filter(Boolean);
  if (webhookSpecs.some((spec) => /=https?:/i.test(spec))) {
    problems.push(
      'TOKENTRAIL_WEBHOOKS holds a webhook URL: deployed functions take a secret reference (ssm:, secretsmanager:, gcpsecret:) so the URL stays out of the configuration',
    );
  }

  if (problems.length > 0 || settings === undefined) {
    throw new FunctionConfigError(`tokentrail is misconfigured:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    store,
    bigQueryEndpoint: settings.endpoints.bigquery ?? null,
    s3Endpoint: settings.endpoints.s3 ?? null,
    policyPath: settings.policyPath ?? null,
    webhookSpecs,
    lookbackMs: settings.lookbackMs,
    limits: { ...DEFAULT_LIMITS, maxDecompressedBytes: settings.maxDecompressedBytes },
  };
}
