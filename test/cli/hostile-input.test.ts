import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli-harness.js';

/**
 * Issue 11, items 1-3, through the real `tokentrail ingest` into a DuckDB file: a record nested
 * 5,000 deep inside an envelope, an unterminated string inside a CloudTrail Records array and
 * bytes that are not UTF-8 are quarantined one each, with their bytes; every record around them
 * is a row, and the exit code says some were quarantined (3).
 */

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const NOW = new Date('2025-11-25T00:00:00Z');

type Record = { [key: string]: unknown };
const exampleRecords = (): Record[] => {
  const file = readFileSync(
    join(EXAMPLES, 'aws', '111122223333_CloudTrail_us-east-1_20251120T1005Z_example.json.gz'),
  );
  return (JSON.parse(gunzipSync(file).toString('utf8')) as { Records: Record[] }).Records.filter(
    (record) => record.eventName === 'AssumeRoleWithWebIdentity',
  );
};
/** An example record under another eventID, so each copy is its own row. */
const copy = (record: Record, n: number): Record => ({
  ...record,
  eventID: `e5e5e5e5-${String(n).padStart(4, '0')}-4000-8000-000000000000`,
});

const DEEP = `${'{"x":'.repeat(5000)}1${'}'.repeat(5000)}`;
const BROKEN = '{"eventVersion":"1.08","eventID": ,,"broken ,"eventName":"AssumeRoleWithWebIdentity"}';

let root: string;
let directory: string;
let store: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tokentrail-hostile-'));
  directory = join(root, 'inputs');
  mkdirSync(directory);
  store = join(root, 'store.duckdb');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const push = (data: string) => ({
  message: { data: Buffer.from(data).toString('base64'), messageId: '1' },
  subscription: 'projects/p/subscriptions/s',
});

const sql = async (query: string) => (await runCli(['query', 'sql', query, '--store', store, '--json'])).rows;

describe('tokentrail ingest of hostile records among valid ones', () => {
  it('quarantines each hostile record with its bytes, writes every neighbour, and exits 3', async () => {
    const [a, b, c] = exampleRecords() as [Record, Record, Record];
    // `\xff\xfe` inside the userAgent of an otherwise valid record.
    const [head, tail] = JSON.stringify(copy(c, 3)).split('"userAgent":"') as [string, string];
    const badBytes = Buffer.concat([
      Buffer.from(`${head}"userAgent":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(tail),
    ]);
    const trail = Buffer.concat([
      Buffer.from(`{"Records":[${JSON.stringify(copy(a, 1))},${BROKEN},${JSON.stringify(copy(b, 2))},`),
      badBytes,
      Buffer.from(`,${JSON.stringify(copy(c, 4))}]}`),
    ]);
    writeFileSync(join(directory, 'trail.json.gz'), gzipSync(trail));

    const cwl = {
      messageType: 'DATA_MESSAGE',
      owner: '111122223333',
      logGroup: 'aws-cloudtrail-logs',
      logStream: '111122223333_CloudTrail_us-east-1',
      subscriptionFilters: ['to-tokentrail'],
      logEvents: [JSON.stringify(copy(a, 5)), DEEP, JSON.stringify(copy(b, 6))].map((message, i) => ({
        id: String(i),
        timestamp: 1700000000000 + i,
        message,
      })),
    };
    writeFileSync(join(directory, 'cloudwatch-logs.json'), JSON.stringify(cwl));

    writeFileSync(join(directory, 'pubsub.ndjson'), `${JSON.stringify(push(DEEP))}\n`);

    const result = await runCli(['ingest', '--store', store, '--json', directory], { now: NOW });
    expect(result.stderr).not.toContain('Maximum call stack');
    expect(result.code).toBe(3);
    expect(result.rows[0]).toMatchObject({
      written: 5,
      quarantined: 4,
      rejected_by: { invalid_json: 1, invalid_encoding: 1, too_large: 2 },
    });

    const ids = await sql('SELECT event_id FROM events ORDER BY event_id');
    expect(ids.map((row) => row.event_id)).toEqual([1, 2, 4, 5, 6].map((n) => copy(a, n).eventID));
    const quarantined = await sql('SELECT code, raw FROM quarantine ORDER BY code, raw');
    expect(quarantined).toEqual([
      { code: 'invalid_encoding', raw: badBytes.toString('base64') },
      { code: 'invalid_json', raw: BROKEN },
      { code: 'too_large', raw: JSON.stringify(push(DEEP)) },
      { code: 'too_large', raw: DEEP },
    ]);
    // The base64 raw is no locator: length and hash describe the bytes in the file.
    const [encoding] = await sql(
      "SELECT raw_bytes, raw_sha256, raw_truncated FROM quarantine WHERE code = 'invalid_encoding'",
    );
    expect(encoding).toEqual({
      raw_bytes: badBytes.length,
      raw_sha256: createHash('sha256').update(badBytes).digest('hex'),
      raw_truncated: false,
    });
  });

  it('stops a gzip bomb with one quarantined record, counts the file as read, and exits 3', async () => {
    // 256 MiB of spaces in well under 1 MiB of gzip; the decoder gives up past 64 MiB inflated.
    const bomb = gzipSync(Buffer.alloc(256 * 1024 ** 2, 0x20), { level: 1 });
    writeFileSync(join(directory, 'bomb.json.gz'), bomb);
    const result = await runCli(['ingest', '--store', store, '--json', directory], { now: NOW });
    expect(result.code).toBe(3);
    expect(result.rows[0]).toMatchObject({
      files: 1,
      written: 0,
      quarantined: 1,
      rejected_by: { too_large: 1 },
    });
  });
});
