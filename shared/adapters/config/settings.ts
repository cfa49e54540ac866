import type { SettingName } from '../../core/config/settings-table.js';
import { durationMs } from '../../core/queries/time-range.js';
import { DEFAULT_LIMITS } from '../../sources/limits.js';

/** TOKENTRAIL_LOOKBACK's default (the scheduled detection's own, DEFAULT_LOOKBACK_MS: a test checks they agree). */
const DEFAULT_LOOKBACK_MS = 2 * 3_600_000;

/** The environment as the entry points pass it in (process.env, or a test's own record). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The settings, read and checked. Text settings are trimmed; an empty one counts as unset. */
export interface Settings {
  /** TOKENTRAIL_STORE as given (parse it with parseStoreUri where a store is opened). */
  readonly store: string | undefined;
  readonly policyPath: string | undefined;
  readonly webhookSpecs: readonly string[];
  readonly lookbackMs: number;
  readonly maxDecompressedBytes: number;
  readonly checkpointDir: string;
  readonly debug: boolean;
  readonly endpoints: {
    readonly bigquery: string | undefined;
    readonly s3: string | undefined;
    readonly cloudtrail: string | undefined;
    readonly logging: string | undefined;
    readonly pubsub: string | undefined;
    readonly aws: string | undefined;
    readonly gcp: string | undefined;
    readonly ranges: string | undefined;
  };
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';

  constructor(readonly problems: readonly string[]) {
    super(`misconfigured environment:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Reads every setting from a passed-in environment and names every mistake at once: a function
 * that starts with half a configuration would fail on its first event instead.
 */
export function readSettings(env: Env): Settings {
  const problems: string[] = [];
  const text = (name: SettingName): string | undefined => env[name]?.trim() || undefined;

  const url = (name: SettingName): string | undefined => {
    const value = text(name);
    if (value !== undefined && !/^https?:\/\/[^\s/]+/i.test(value)) {
      problems.push(`${name} '${value}' is not an http(s) URL`);
      return undefined;
    }
    return value;
  };

  const lookbackText = text('TOKENTRAIL_LOOKBACK');
  let lookbackMs = DEFAULT_LOOKBACK_MS;
  if (lookbackText !== undefined) {
    const parsed = durationMs(lookbackText);
    if (parsed === null || parsed <= 0) {
      problems.push(`TOKENTRAIL_LOOKBACK '${lookbackText}' is not a duration such as 30m, 2h or 1d`);
    } else lookbackMs = parsed;
  }

  const capText = text('TOKENTRAIL_MAX_DECOMPRESSED_BYTES');
  let maxDecompressedBytes = DEFAULT_LIMITS.maxDecompressedBytes;
  if (capText !== undefined) {
    const parsed = /^\d+$/.test(capText) ? Number(capText) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed <= 0) {
      problems.push(`TOKENTRAIL_MAX_DECOMPRESSED_BYTES '${capText}' is not a positive number of bytes`);
    } else maxDecompressedBytes = parsed;
  }

  const settings: Settings = {
    store: text('TOKENTRAIL_STORE'),
    policyPath: text('TOKENTRAIL_POLICY'),
    webhookSpecs: (env.TOKENTRAIL_WEBHOOKS ?? '').split(/\s+/).filter(Boolean),
    lookbackMs,
    maxDecompressedBytes,
    checkpointDir: text('TOKENTRAIL_CHECKPOINT_DIR') ?? '.tokentrail',
    debug: text('TOKENTRAIL_DEBUG') !== undefined,
    endpoints: {
      bigquery: url('TOKENTRAIL_BIGQUERY_ENDPOINT'),
      s3: url('TOKENTRAIL_S3_ENDPOINT'),
      cloudtrail: url('TOKENTRAIL_CLOUDTRAIL_ENDPOINT'),
      logging: url('TOKENTRAIL_LOGGING_ENDPOINT'),
      pubsub: url('TOKENTRAIL_PUBSUB_ENDPOINT'),
      aws: url('TOKENTRAIL_AWS_ENDPOINT'),
      gcp: url('TOKENTRAIL_GCP_ENDPOINT'),
      ranges: url('TOKENTRAIL_RANGES_ENDPOINT'),
    },
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
