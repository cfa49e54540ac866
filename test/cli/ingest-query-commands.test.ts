import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-harness.js';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const NOW = new Date('2025-11-25T00:00:00Z');

let directory: string;
let store: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-cli-'));
  store = join(directory, 'store.duckdb');
});

afterEach(() => rmSync(directory, { recursive: true, force: true }));

const ingest = (...args: string[]) => runCli(['ingest', '--store', store, '--json', ...args], { now: NOW });

describe('tokentrail ingest', () => {
  it('stores every example once, however often it is ingested', async () => {
    const first = await ingest(EXAMPLES);
    expect(first.code).toBe(0);
    expect(first.rows[0]).toMatchObject({
      type: 'summary',
      written: 31,
      duplicates: 0,
      quarantined: 0,
      rows: 31,
    });

    const second = await ingest(EXAMPLES);
    expect(second.rows[0]).toMatchObject({ written: 0, duplicates: 31, quarantined: 0 });

    const count = await runCli([
      'query',
      'sql',
      'SELECT count(*) AS n FROM events',
      '--store',
      store,
      '--json',
    ]);
    expect(count.rows).toEqual([{ n: 31 }]);
  });

  it('quarantines a malformed record with its bytes, stores the rest, and exits 3', async () => {
    const input = join(directory, 'mixed.ndjson');
    writeFileSync(input, '{"Records":[{"eventVersion":"1.08", "eventID": \n');
    const result = await ingest(join(EXAMPLES, 'gcp', 'log-sink-export.ndjson'), input);
    expect(result.code).toBe(3);
    expect(result.rows[0]).toMatchObject({ quarantined: 1, rejected_by: { truncated: 1 } });
    const quarantined = await runCli([
      'query',
      'sql',
      'SELECT input, code, raw FROM quarantine',
      '--store',
      store,
      '--json',
    ]);
    expect(quarantined.rows).toEqual([
      { input, code: 'truncated', raw: expect.stringContaining('"eventID":') },
    ]);
  });

  it('prints a readable summary for people', async () => {
    const result = await runCli(['ingest', '--store', store, EXAMPLES], { now: NOW });
    expect(result.stdout).toMatch(/^ingested 7 inputs \(.* MB\) into duckdb:.*store\.duckdb in .* s\n/);
    expect(result.stdout).toMatch(/ {2}rows written +31\n {2}duplicates ignored +0\n {2}skipped +\d+/);
  });

  it('refuses an s3 --since it cannot read, saying what it accepts, and exits 1', async () => {
    const result = await ingest('--since', '99999999d', 's3://acme-org-trail/AWSLogs/');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('tokentrail: --since "99999999d": times before 1970 are not accepted\n');
  });

  it('reads the store from TOKENTRAIL_STORE', async () => {
    const result = await runCli(['ingest', '--json', EXAMPLES], {
      env: { TOKENTRAIL_STORE: `duckdb:${store}` },
    });
    expect(result.rows[0]).toMatchObject({ store: `duckdb:${store}`, written: 31 });
  });
});

describe('tokentrail query', () => {
  beforeEach(async () => {
    await ingest(EXAMPLES);
  });

  it('who-accessed prints a table with a caption', async () => {
    const result = await runCli(
      ['query', 'who-accessed', '--bucket', '*', '--since', '2019-01-01', '--store', store],
      {
        now: NOW,
      },
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`who-accessed bucket *, 2019-01-01 00:00 to 2025-11-25 00:00 UTC, duckdb:${store}`);
    expect(lines[2]).toMatch(
      /^CLOUD +BUCKET +ROOT SUBJECT +SUBJECT +PRINCIPAL +ACTIONS +COUNT +FAILURES +FIRST SEEN +LAST SEEN$/,
    );
    expect(lines.length).toBeGreaterThan(4);
  });

  it('who-accessed --json gives exact values, --csv a header row', async () => {
    const json = await runCli(
      ['query', 'who-accessed', '--bucket', '*', '--since', '2019-01-01', '--store', store, '--json'],
      {
        now: NOW,
      },
    );
    expect(json.rows.length).toBeGreaterThan(0);
    expect(Object.keys(json.rows[0]!)).toEqual([
      'cloud',
      'bucket',
      'root_subject',
      'subject',
      'principal',
      'actions',
      'count',
      'failures',
      'first_seen',
      'last_seen',
    ]);
    const csv = await runCli(
      ['query', 'who-accessed', '--bucket', '*', '--since', '2019-01-01', '--store', store, '--csv'],
      {
        now: NOW,
      },
    );
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'cloud,bucket,root_subject,subject,principal,actions,count,failures,first_seen,last_seen',
    );
  });

  it('says so on stderr when nothing matches, and exits 0', async () => {
    const result = await runCli(['query', 'who-accessed', '--bucket', 'no-such-*', '--store', store], {
      now: NOW,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^nothing found: who-accessed bucket no-such-\*/);
  });

  it.each([["x' OR '1'='1"], ["'; DROP TABLE events; --"], ['.*'], ['(a|b)+$'], ['\\']])(
    'takes the glob %j as text to match, never SQL or a regular expression',
    async (glob) => {
      const count = async () =>
        (await runCli(['query', 'sql', 'SELECT count(*) AS n FROM events', '--store', store, '--json'])).rows;
      const before = await count();
      for (const option of ['--bucket', '--principal', '--subject']) {
        const command = { '--bucket': 'who-accessed', '--principal': 'subjects', '--subject': 'principals' }[
          option
        ]!;
        const result = await runCli(
          ['query', command, option, glob, '--since', '2019-01-01', '--store', store],
          {
            now: NOW,
          },
        );
        expect(result.code).toBe(0);
        expect(result.stdout).toBe('');
      }
      expect(await count()).toEqual(before);
    },
  );

  it('query sql answers SELECT, WITH ... SELECT and DESCRIBE', async () => {
    const sql = (text: string) => runCli(['query', 'sql', text, '--store', store, '--json']);
    expect((await sql('WITH n AS (SELECT count(*) AS n FROM events) SELECT n FROM n')).rows).toEqual([
      { n: 31 },
    ]);
    const described = await sql('DESCRIBE events');
    expect(described.code).toBe(0);
    expect(described.rows.map((row) => row.column_name)).toContain('event_id');
  });

  it.each([
    ['DELETE FROM events', 'DELETE is a write'],
    ['UPDATE events SET subject = NULL', 'UPDATE is a write'],
    ['DROP TABLE quarantine', 'DROP is a write'],
    ['CREATE TABLE stolen AS SELECT * FROM events', 'CREATE is a write'],
    ['SELECT 1; DELETE FROM events', 'DELETE is a write'],
    ["ATTACH 'elsewhere.duckdb' AS elsewhere", 'ATTACH is a write'],
    ['INSTALL httpfs', 'INSTALL or LOAD is a write'],
    ['SET threads = 1', 'SET is not a query'],
  ])('query sql refuses %j: %s, and the store is unchanged', async (text, why) => {
    const refused = await runCli(['query', 'sql', text, '--store', store]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`tokentrail: query sql runs read-only queries; ${why}\n`);
    const count = await runCli([
      'query',
      'sql',
      'SELECT count(*) AS n FROM events',
      '--store',
      store,
      '--json',
    ]);
    expect(count.rows).toEqual([{ n: 31 }]);
  });

  it.each([
    (out: string) => `COPY (SELECT 1) TO '${out}'`,
    (out: string) => `COPY events TO '${out}' (FORMAT csv)`,
    (out: string) => `EXPORT DATABASE '${out}'`,
    (out: string) => `SELECT * FROM read_csv('${out}')`,
  ])('query sql touches no file: %s', async (statement) => {
    const out = join(directory, 'out.csv');
    const refused = await runCli(['query', 'sql', statement(out), '--store', store]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^tokentrail: query sql runs read-only queries; it reads and writes no files: /,
    );
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [
      ['query', 'who-accessed', '--bucket', '*', '--since', 'yesterday'],
      /--since "yesterday": use a number and a unit \(30m, 12h, 7d, 2w\) or a date or RFC 3339 time/,
    ],
    [['query', 'failures', '--since', '7 d'], /--since "7 d": use a number and a unit/],
    [
      ['query', 'failures', '--until', '99999999d'],
      /--until "99999999d": times before 1970 are not accepted/,
    ],
    [['query', 'failures', '--since', '1e400d'], /--since "1e400d": use a number and a unit/],
    [['query', 'who-accessed'], /required option '--bucket <glob>' not specified/],
    [['query', 'who-accessed', '--bucket', '*', '--json', '--csv'], /cannot be used with/],
    [['query', 'sql', 'SELEC 1'], /syntax error/i],
    [['query', 'failures', '--store', 'bigquery://x/y'], /not a valid GCP project id/],
    [
      ['query', 'failures', '--store', 'missing.duckdb'],
      /no store at missing\.duckdb yet: run tokentrail ingest first/,
    ],
  ])('%j fails with a clear message and exit 1', async (args, message) => {
    const result = await runCli([...args, ...(args.includes('--store') ? [] : ['--store', store])], {
      now: NOW,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
