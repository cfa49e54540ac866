import { readFileSync } from 'node:fs';
import { SETTINGS, settingsHelp, settingsTable } from '../../core/config/settings-table.js';
import { DEFAULT_LOOKBACK_MS } from '../../pipeline/scheduled-detect.js';
import { DEFAULT_LIMITS } from '../../sources/limits.js';
import { readSettings, SettingsError } from './settings.js';

describe('readSettings', () => {
  it('gives the defaults for an empty environment', () => {
    const settings = readSettings({});
    expect(settings).toEqual({
      store: undefined,
      policyPath: undefined,
      webhookSpecs: [],
      lookbackMs: DEFAULT_LOOKBACK_MS,
      maxDecompressedBytes: DEFAULT_LIMITS.maxDecompressedBytes,
      checkpointDir: '.tokentrail',
      debug: false,
      endpoints: {
        bigquery: undefined,
        s3: undefined,
        cloudtrail: undefined,
        logging: undefined,
        pubsub: undefined,
        aws: undefined,
        gcp: undefined,
        ranges: undefined,
      },
    });
  });

  it('reads each variable, trimmed, an empty one as unset', () => {
    const settings = readSettings({
      TOKENTRAIL_STORE: ' bigquery://p/d ',
      TOKENTRAIL_POLICY: '',
      TOKENTRAIL_WEBHOOKS: ' slack=ssm:/a  teams=env:B ',
      TOKENTRAIL_LOOKBACK: '30m',
      TOKENTRAIL_MAX_DECOMPRESSED_BYTES: '1024',
      TOKENTRAIL_CHECKPOINT_DIR: '/var/tt',
      TOKENTRAIL_DEBUG: '1',
      TOKENTRAIL_S3_ENDPOINT: 'http://127.0.0.1:9000',
    });
    expect(settings.store).toBe('bigquery://p/d');
    expect(settings.policyPath).toBeUndefined();
    expect(settings.webhookSpecs).toEqual(['slack=ssm:/a', 'teams=env:B']);
    expect(settings.lookbackMs).toBe(30 * 60_000);
    expect(settings.maxDecompressedBytes).toBe(1024);
    expect(settings.checkpointDir).toBe('/var/tt');
    expect(settings.debug).toBe(true);
    expect(settings.endpoints.s3).toBe('http://127.0.0.1:9000');
  });

  it('names every mistake at once', () => {
    const read = () =>
      readSettings({
        TOKENTRAIL_LOOKBACK: 'fortnight',
        TOKENTRAIL_MAX_DECOMPRESSED_BYTES: '1e9',
        TOKENTRAIL_BIGQUERY_ENDPOINT: 'localhost:9050',
      });
    expect(read).toThrow(SettingsError);
    try {
      read();
    } catch (error) {
      expect((error as SettingsError).problems).toEqual([
        "TOKENTRAIL_LOOKBACK 'fortnight' is not a duration such as 30m, 2h or 1d",
        "TOKENTRAIL_MAX_DECOMPRESSED_BYTES '1e9' is not a positive number of bytes",
        "TOKENTRAIL_BIGQUERY_ENDPOINT 'localhost:9050' is not an http(s) URL",
      ]);
    }
  });
});

describe('SETTINGS', () => {
  it('states the defaults the code uses', () => {
    const fallback = (name: string) => SETTINGS.find((spec) => spec.name === name)?.fallback;
    expect(fallback('TOKENTRAIL_LOOKBACK')).toBe(`${DEFAULT_LOOKBACK_MS / 3_600_000}h`);
    expect(fallback('TOKENTRAIL_MAX_DECOMPRESSED_BYTES')).toBe(
      `${DEFAULT_LIMITS.maxDecompressedBytes} (${DEFAULT_LIMITS.maxDecompressedBytes / 1024 ** 3} GiB)`,
    );
    expect(fallback('TOKENTRAIL_CHECKPOINT_DIR')).toBe(readSettings({}).checkpointDir);
    expect(readSettings({}).lookbackMs).toBe(DEFAULT_LOOKBACK_MS);
  });

  it('names each variable once', () => {
    const names = SETTINGS.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists in --help only what an entry point reads', () => {
    expect(settingsHelp('cli')).toContain('TOKENTRAIL_CHECKPOINT_DIR');
    expect(settingsHelp('aws')).not.toContain('TOKENTRAIL_CHECKPOINT_DIR');
    expect(settingsHelp('gcp')).toContain('TOKENTRAIL_LOOKBACK');
  });

  it('is the table in the README', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(settingsTable());
  });
});
