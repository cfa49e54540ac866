import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli-harness.js';

/**
 * Issue 11 item 5: a quarantined record keeps its head, and enough to find and check all of its
 * bytes again: input + position.offset + raw_bytes locate it, raw_sha256 checks it.
 */
const EXAMPLE_FILE = join(
  __dirname,
  '..',
  '..',
  'examples',
  'aws',
  '111122223333_CloudTrail_us-east-1_20251120T1005Z_example.json.gz',
);
const NOW = new Date('2025-11-25T00:00:00Z');
const HEAD_BYTES = 64 * 1024;

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-quarantine-'));
});

afterEach(() => rmSync(directory, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A CloudTrail record of about 200 KB that is not JSON: a bare word where a string belongs. */
function brokenRecord(): string {
  const userAgent = 'aws-sdk-go/1.55 ü€😀 '.repeat(8_000);
  return `{"eventVersion":"1.08","eventID":"broken-0001","userAgent":"${userAgent}","eventName":AssumeRoleWithWebIdentity}`;
}

describe('tokentrail ingest of a 200 KB malformed record', () => {
  it('quarantines its head with the length and SHA-256 of the bytes at its offset in the input', async () => {
    const [first, second] = (
      JSON.parse(gunzipSync(readFileSync(EXAMPLE_FILE)).toString('utf8')) as { Records: unknown[] }
    ).Records;
    const broken = brokenRecord();
    expect(Buffer.byteLength(broken)).toBeGreaterThan(200_000);
    const input = join(directory, 'trail.json');
    writeFileSync(
      input,
      `{"Records":[\n${JSON.stringify(first)},\n${broken},\n${JSON.stringify(second)}\n]}\n`,
    );
    const store = join(directory, 'store.duckdb');

    const ingest = await runCli(['ingest', '--store', store, '--json', input], { now: NOW });
    expect(ingest.rows[0]).toMatchObject({ written: 2, quarantined: 1 });

    const query = await runCli([
      'query',
      'sql',
      'SELECT input, position, raw, raw_bytes, raw_sha256, raw_truncated FROM quarantine',
      '--store',
      store,
      '--json',
    ]);
    expect(query.rows).toHaveLength(1);
    const row = query.rows[0] as {
      input: string;
      position: string;
      raw: string;
      raw_bytes: number;
      raw_sha256: string;
      raw_truncated: boolean;
    };
    expect(row.input).toBe(input);
    expect(row.raw_truncated).toBe(true);
    expect(Buffer.byteLength(row.raw)).toBeLessThanOrEqual(HEAD_BYTES);
    expect(Buffer.byteLength(row.raw)).toBeGreaterThan(HEAD_BYTES - 4);
    expect(broken.startsWith(row.raw)).toBe(true);

    // The locator: the exact bytes of the record, re-read from the input file.
    const { offset } = JSON.parse(row.position) as { offset: number };
    const reread = readFileSync(input).subarray(offset, offset + row.raw_bytes);
    expect(row.raw_bytes).toBe(Buffer.byteLength(broken));
    expect(sha256(reread)).toBe(row.raw_sha256);
    expect(reread.toString('utf8')).toBe(broken);
  });
});
