import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { main } from '../../cli/main.js';
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

describe('tokentrail quarantine', () => {
  /** A gzip CloudTrail file with one 200 KB broken record between two good ones, ingested. */
  async function ingested(): Promise<{ input: string; store: string; broken: string }> {
    const [first, second] = (
      JSON.parse(gunzipSync(readFileSync(EXAMPLE_FILE)).toString('utf8')) as { Records: unknown[] }
    ).Records;
    const broken = brokenRecord();
    const input = join(directory, 'trail.json.gz');
    writeFileSync(
      input,
      gzipSync(`{"Records":[${JSON.stringify(first)},${broken},${JSON.stringify(second)}]}`),
    );
    const store = join(directory, 'store.duckdb');
    expect((await runCli(['ingest', '--store', store, '--json', input], { now: NOW })).code).toBe(3);
    return { input, store, broken };
  }

  it('lists the quarantined records, and shows one re-read from its gzip input and checked', async () => {
    const { input, store, broken } = await ingested();
    const list = await runCli(['quarantine', 'list', '--store', store, '--json']);
    expect(list.code).toBe(0);
    expect(list.rows).toEqual([
      expect.objectContaining({ input, code: 'invalid_json', raw_bytes: Buffer.byteLength(broken) }),
    ]);
    const id = String(list.rows[0]!.quarantine_id);

    const show = await runCli(['quarantine', 'show', id, '--store', store]);
    expect(show.code).toBe(0);
    expect(show.rows).toEqual([
      expect.objectContaining({
        quarantine_id: id,
        raw_sha256: sha256(Buffer.from(broken)),
        raw_truncated: true,
        reread: {
          status: 'match',
          file: input,
          offset: expect.any(Number),
          bytes: Buffer.byteLength(broken),
        },
      }),
    ]);

    // Not through runCli, which reads stdout as JSON lines: these are the record's own bytes.
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await main(['quarantine', 'show', id, '--bytes', '--store', store], {
      stdin: Readable.from([]),
      stdout,
      stderr: new PassThrough(),
      stdinIsTTY: false,
      stderrIsTTY: false,
      version: '0.0.0-test',
      env: {},
      now: () => NOW,
    });
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).equals(Buffer.from(broken))).toBe(true);
  });

  it('says so when the input no longer holds those bytes, and refuses an id that is not one', async () => {
    const { input, store } = await ingested();
    const id = String(
      (await runCli(['quarantine', 'list', '--store', store, '--json'])).rows[0]!.quarantine_id,
    );
    writeFileSync(input, gzipSync('{"Records":[]}'));
    const show = await runCli(['quarantine', 'show', id, '--store', store]);
    expect(show.code).toBe(1);
    expect(show.rows[0]).toMatchObject({ reread: { status: 'mismatch', file: input } });

    const missing = await runCli(['quarantine', 'show', 'f'.repeat(64), '--store', store]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no quarantined record ${'f'.repeat(64)}`);
    const bad = await runCli(['quarantine', 'show', "x' OR 1=1", '--store', store]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('a quarantine id is 64 hex digits');
  });
});

describe('tokentrail quarantine show of a record the normalizer refused', () => {
  const record = (eventID: string, eventTime: string) => {
    const { Records } = JSON.parse(gunzipSync(readFileSync(EXAMPLE_FILE)).toString('utf8')) as {
      Records: Record<string, unknown>[];
    };
    return { ...Records[0], eventID, eventTime };
  };

  it('finds its own bytes at its offset in a CloudTrail file, and says why it cannot inside an envelope', async () => {
    const store = join(directory, 'store.duckdb');
    // Pretty-printed, so a re-serialization would not be the bytes in the file.
    const trail = join(directory, 'trail.json.gz');
    const text = JSON.stringify(
      { Records: [record('ok-1', '2025-11-20T10:00:00Z'), record('bad-1', 'later')] },
      null,
      2,
    );
    writeFileSync(trail, gzipSync(text));
    const wrapped = join(directory, 'eventbridge.json');
    writeFileSync(
      wrapped,
      JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', detail: record('bad-2', 'never') }),
    );
    const ingest = await runCli(['ingest', '--store', store, '--json', trail, wrapped], { now: NOW });
    expect(ingest.code).toBe(3);

    const list = await runCli(['quarantine', 'list', '--store', store, '--json']);
    const idOf = (input: string) => String(list.rows.find((row) => row.input === input)!.quarantine_id);

    const inFile = await runCli(['quarantine', 'show', idOf(trail), '--store', store]);
    expect(inFile.code).toBe(0);
    expect(inFile.rows[0]).toMatchObject({
      code: 'invalid_timestamp',
      reread: { status: 'match', file: trail },
    });

    const inEnvelope = await runCli(['quarantine', 'show', idOf(wrapped), '--store', store]);
    expect(inEnvelope.code).toBe(0);
    expect(inEnvelope.rows[0]).toMatchObject({
      code: 'invalid_timestamp',
      reread: {
        status: 'unavailable',
        reason: expect.stringContaining('inside a delivery envelope (at /detail)'),
      },
    });
  });
});
