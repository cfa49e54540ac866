import { durationMs } from '../../core/queries/time-range.js';
import { DEFAULT_LOOKBACK_MS } from '../../pipeline/scheduled-detect.js';
import { DEFAULT_LIMITS, type DecodeLimits } from '../../sources/limits.js';
import { webhookSpecsFromEnv } from '../chat/channels-from-env.js';
import { parseStoreUri, type StoreLocation } from '../store/store-uri.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Everything a deployed function reads from its environment, read once per cold start. */
export interface FunctionConfig {
  /** TOKENTRAIL_STORE: `bigquery://PROJECT/DATASET` in the cloud; a DuckDB path in tests. */
  readonly store: StoreLocation;
  /** TOKENTRAIL_BIGQUERY_ENDPOINT: another BigQuery API root (tests). */
  readonly bigQueryEndpoint: string | null;
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
 * Reads the function's configuration from a passed-in environment and names every mistake at
 * once: a function that starts with half a configuration fails on its first event instead.
 */
export function parseFunctionConfig(env: Env): FunctionConfig {
  const problems: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };

  const storeText = env.TOKENTRAIL_STORE?.trim();
  if (!storeText) problems.push('TOKENTRAIL_STORE is not set (e.g. bigquery://my-project/tokentrail)');
  const store = attempt<StoreLocation>(() => parseStoreUri(storeText || ':memory:'), {
    kind: 'duckdb',
    path: ':memory:',
  });

  const lookbackText = env.TOKENTRAIL_LOOKBACK?.trim();
  const lookbackMs = lookbackText ? durationMs(lookbackText) : DEFAULT_LOOKBACK_MS;
  if (lookbackMs === null || lookbackMs <= 0) {
    problems.push(`TOKENTRAIL_LOOKBACK '${lookbackText}' is not a duration such as 30m, 2h or 1d`);
  }

  const capText = env.TOKENTRAIL_MAX_DECOMPRESSED_BYTES?.trim();
  const cap = capText ? Number(capText) : DEFAULT_LIMITS.maxDecompressedBytes;
  if (!Number.isSafeInteger(cap) || cap <= 0) {
    problems.push(`TOKENTRAIL_MAX_DECOMPRESSED_BYTES '${capText}' is not a positive number of bytes`);
  }

  const webhookSpecs = webhookSpecsFromEnv(env);
  for (const spec of webhookSpecs) {
    if (/=https?:/i.test(spec)) {
      problems.push(
        'TOKENTRAIL_WEBHOOKS holds a webhook URL: deployed functions take a secret reference (ssm:, secretsmanager:, gcpsecret:) so the URL stays out of the configuration',
      );
    }
  }

  if (problems.length > 0) {
    throw new FunctionConfigError(`tokentrail is misconfigured:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    store,
    bigQueryEndpoint: env.TOKENTRAIL_BIGQUERY_ENDPOINT?.trim() || null,
    policyPath: env.TOKENTRAIL_POLICY?.trim() || null,
    webhookSpecs,
    lookbackMs: lookbackMs ?? DEFAULT_LOOKBACK_MS,
    limits: { ...DEFAULT_LIMITS, maxDecompressedBytes: cap },
  };
}
