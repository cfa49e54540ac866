/**
 * Every TOKENTRAIL_* variable, once: its name, what an unset one means, which entry points read it.
 * `shared/adapters/config/settings.ts` reads them; `tokentrail --help` and the README's table are
 * generated from this list.
 */
/** The entry points that read a setting: the CLI, the Lambdas, the Cloud Functions. */
export type EntryPoint = 'cli' | 'aws' | 'gcp';

export type SettingKind = 'store' | 'path' | 'list' | 'duration' | 'bytes' | 'url' | 'flag';

export interface SettingSpec {
  readonly name: string;
  readonly kind: SettingKind;
  /** What an unset variable means, as a user reads it. */
  readonly fallback: string;
  readonly usedBy: readonly EntryPoint[];
  readonly meaning: string;
}

const ALL: readonly EntryPoint[] = ['cli', 'aws', 'gcp'];

export const SETTINGS = [
  {
    name: 'TOKENTRAIL_STORE',
    kind: 'store',
    fallback: 'CLI: .tokentrail/tokentrail.duckdb; functions: required',
    usedBy: ALL,
    meaning: 'where rows live: a DuckDB file (`PATH` or `duckdb:PATH`) or `bigquery://PROJECT/DATASET`',
  },
  {
    name: 'TOKENTRAIL_POLICY',
    kind: 'path',
    fallback: 'none: the checks against expected subjects and audiences are off',
    usedBy: ALL,
    meaning: 'the trust policy file (YAML, or the JSON a deployment packages)',
  },
  {
    name: 'TOKENTRAIL_WEBHOOKS',
    kind: 'list',
    fallback: 'none: alerts wait in the store',
    usedBy: ALL,
    meaning:
      'chat channels, space-separated `KIND=URL` or `KIND=REF` (REF `ssm:`, `secretsmanager:`, `gcpsecret:`, `env:`); functions take references only',
  },
  {
    name: 'TOKENTRAIL_LOOKBACK',
    kind: 'duration',
    fallback: '2h',
    usedBy: ['aws', 'gcp'],
    meaning: 'how far back in event time each scheduled detection looks (`30m`, `2h`, `1d`)',
  },
  {
    name: 'TOKENTRAIL_MAX_DECOMPRESSED_BYTES',
    kind: 'bytes',
    fallback: '8589934592 (8 GiB)',
    usedBy: ['aws'],
    meaning: "the cap on one S3 object's expanded size, in bytes",
  },
  {
    name: 'TOKENTRAIL_CHECKPOINT_DIR',
    kind: 'path',
    fallback: '.tokentrail',
    usedBy: ['cli'],
    meaning: 'where `backfill` and `ingest s3://` keep their checkpoints',
  },
  {
    name: 'TOKENTRAIL_DEBUG',
    kind: 'flag',
    fallback: 'off',
    usedBy: ['cli'],
    meaning:
      'any value: errors print their stack, and the cloud SDK notices (MetadataLookupWarning, the AWS SDK Node version notice) are shown',
  },
  {
    name: 'TOKENTRAIL_BIGQUERY_ENDPOINT',
    kind: 'url',
    fallback: 'https://bigquery.googleapis.com',
    usedBy: ALL,
    meaning: 'another BigQuery API root (an emulator, the tests)',
  },
  {
    name: 'TOKENTRAIL_S3_ENDPOINT',
    kind: 'url',
    fallback: "the region's S3 endpoint",
    usedBy: ['cli', 'aws'],
    meaning: 'another S3 API (path-style addressing: S3-compatible stores, the tests)',
  },
  {
    name: 'TOKENTRAIL_CLOUDTRAIL_ENDPOINT',
    kind: 'url',
    fallback: "the region's CloudTrail endpoint",
    usedBy: ['cli'],
    meaning: 'another CloudTrail API for `backfill aws` (the tests)',
  },
  {
    name: 'TOKENTRAIL_LOGGING_ENDPOINT',
    kind: 'url',
    fallback: 'https://logging.googleapis.com',
    usedBy: ['cli'],
    meaning: 'another Cloud Logging API for `backfill gcp` and `sinks` (the tests)',
  },
  {
    name: 'TOKENTRAIL_PUBSUB_ENDPOINT',
    kind: 'url',
    fallback: 'https://pubsub.googleapis.com',
    usedBy: ['cli'],
    meaning: 'another Pub/Sub API for `sinks` (the tests)',
  },
  {
    name: 'TOKENTRAIL_AWS_ENDPOINT',
    kind: 'url',
    fallback: "the region's endpoints",
    usedBy: ['cli'],
    meaning: 'one endpoint for the AWS calls of `doctor aws` and `trust scan --aws` (a local stand-in)',
  },
  {
    name: 'TOKENTRAIL_GCP_ENDPOINT',
    kind: 'url',
    fallback: "Google's endpoints",
    usedBy: ['cli'],
    meaning:
      'one root for the APIs `doctor gcp` and `trust scan --gcp` call (a local stand-in; no credentials are sent to it)',
  },
  {
    name: 'TOKENTRAIL_RANGES_ENDPOINT',
    kind: 'url',
    fallback: "the publishers' URLs",
    usedBy: ['cli'],
    meaning:
      'one root for the three lists `ranges update` fetches, each keeping its path: /ip-ranges.json, /ipranges/cloud.json, /meta (a local stand-in)',
  },
] as const satisfies readonly SettingSpec[];

export type SettingName = (typeof SETTINGS)[number]['name'];

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The settings an entry point reads, as `--help` lists them: each name, then its meaning and default indented. */
export function settingsHelp(entryPoint: EntryPoint): string {
  const specs = SETTINGS.filter((spec) => (spec.usedBy as readonly EntryPoint[]).includes(entryPoint));
  return specs
    .map((spec) => {
      const text = `${spec.meaning.replaceAll('`', '')}. Default: ${spec.fallback}.`;
      return [`  ${spec.name}`, ...wrap(text, 72).map((line) => `      ${line}`)].join('\n');
    })
    .join('\n');
}

/** The settings as a Markdown table, for the README. */
export function settingsTable(): string {
  const lines = ['| variable | read by | default | meaning |', '|---|---|---|---|'];
  for (const spec of SETTINGS) {
    lines.push(
      `| \`${spec.name}\` | ${spec.usedBy.join(', ')} | ${spec.fallback.replaceAll('|', '\\|')} | ${spec.meaning.replaceAll('|', '\\|')} |`,
    );
  }
  return lines.join('\n');
}
