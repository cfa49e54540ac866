import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import { FAILURES, PRINCIPALS, SUBJECTS, WHO_ACCESSED } from '../../shared/core/queries/named-queries.js';
import { duckDbCreateTable } from '../../shared/core/schema/duckdb-ddl.js';
import { EVENTS_TABLE } from '../../shared/core/schema/tables.js';
import type { Rejection } from '../../shared/pipeline/ports.js';
import { answer } from '../../shared/pipeline/query.js';
import { gcsRow, mintRow, s3Row } from '../helpers/rows.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const clock = { now: () => NOW };
const FORK = 'repo:someone-else/payments-api:pull_request';
const MAIN = 'repo:acme/payments-api:ref:refs/heads/main';

let directory: string;
let store: DuckDbStore;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-store-'));
  store = await DuckDbStore.open(join(directory, 'nested', 'tokentrail.duckdb'));
});

afterEach(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('the DuckDB store', () => {
  it('keeps one row per event_id however often a batch is written', async () => {
    const rows = [
      mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN),
      s3Row('d1', '2026-11-20T10:01:00.000000Z', 'ASIA1', 'acme-prod-assets'),
    ];
    expect(await store.writeRows(rows)).toEqual({ written: 2, duplicates: 0, refused: [] });
    expect(await store.writeRows(rows)).toEqual({ written: 0, duplicates: 2, refused: [] });
    const count = await store.sql('SELECT count(*) AS n FROM events');
    expect(count.rows).toEqual([{ n: 2 }]);
  });

  it('keeps rows loaded over many batches in one transaction, durable at close and at each commit', async () => {
    const path = join(directory, 'nested', 'tokentrail.duckdb');
    const rows = Array.from({ length: 3 * store.preferredBatchRows }, (_, i) =>
      mintRow(`m${i}`, '2026-11-20T10:00:00.000000Z', `ASIA${i}`, MAIN),
    );
    let written = 0;
    let duplicates = 0;
    for (let i = 0; i < rows.length; i += store.preferredBatchRows) {
      // Each batch repeats the previous batch's last row: a key loaded earlier in the open transaction.
      const result = await store.writeRows(rows.slice(Math.max(0, i - 1), i + store.preferredBatchRows));
      written += result.written;
      duplicates += result.duplicates;
    }
    expect({ written, duplicates }).toEqual({ written: rows.length, duplicates: 2 });
    await store.close();
    store = await DuckDbStore.open(path);
    const count = await store.sql(
      'SELECT count(*) AS n, count(DISTINCT event_id) AS distinct_ids FROM events',
    );
    expect(count.rows).toEqual([{ n: rows.length, distinct_ids: rows.length }]);
  });

  it('finds an event stored earlier in any row group, matching its id and its time', async () => {
    // One row an hour over 40,000 hours: row groups of 16,384 rows hold disjoint time ranges, which
    // DuckDB skips when they cannot hold the batch's times.
    const time = (hour: number) =>
      new Date(Date.UTC(2022, 0, 1) + hour * 3_600_000).toISOString().replace('Z', '000Z');
    const rows = Array.from({ length: 40_000 }, (_, i) => mintRow(`m${i}`, time(i), `ASIA${i}`, MAIN));
    for (let i = 0; i < rows.length; i += store.preferredBatchRows)
      await store.writeRows(rows.slice(i, i + store.preferredBatchRows));
    await store.commit();
    const again = rows.filter((_, i) => i % 1000 === 0);
    const fresh = Array.from({ length: 10 }, (_, i) => mintRow(`new${i}`, time(i * 4000), null, MAIN));
    expect(await store.writeRows([...again, ...fresh])).toEqual({ written: 10, duplicates: 40, refused: [] });
    const count = await store.sql('SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events');
    expect(count.rows).toEqual([{ n: 40_010, ids: 40_010 }]);
  });

  it('takes an id seen again at another time as another event: every source derives both from one record', async () => {
    await store.writeRows([mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN)]);
    expect(
      await store.writeRows([mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN)]),
    ).toMatchObject({
      written: 0,
      duplicates: 1,
    });
    expect(
      await store.writeRows([mintRow('m1', '2026-11-21T10:00:00.000000Z', 'ASIA1', MAIN)]),
    ).toMatchObject({
      written: 1,
      duplicates: 0,
    });
  });

  it('rolls a failed load back to its last commit, says why, and takes the next write', async () => {
    await store.writeRows([mintRow('kept', '2026-11-20T10:00:00.000000Z', 'ASIA0', MAIN)]);
    await store.commit();
    await store.writeRows([mintRow('lost', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN)]);
    // DuckDB refuses the time as the row's event_time (its message names the column's type).
    await expect(store.writeRows([mintRow('bad', 'not a time', 'ASIA2', MAIN)])).rejects.toThrow(
      /TIMESTAMP WITH TIME ZONE/,
    );
    await store.writeRows([mintRow('next', '2026-11-20T10:00:00.000000Z', 'ASIA3', MAIN)]);
    const ids = await store.sql('SELECT event_id FROM events ORDER BY event_id');
    expect(ids.rows).toEqual([{ event_id: 'kept' }, { event_id: 'next' }]);
  });

  it('stores every column as written, timestamps in canonical UTC and raw as JSON', async () => {
    const row = mintRow('m1', '2026-11-20T10:00:00.123456Z', 'ASIA1', MAIN, {
      credential_expiration: '2026-11-20T11:00:00.000000Z',
    });
    await store.writeRows([row]);
    const stored = await store.sql("SELECT * EXCLUDE (raw), raw->>'eventID' AS raw_id FROM events");
    const { raw: _raw, ...expected } = row;
    expect(stored.rows).toEqual([{ ...expected, raw_id: 'm1' }]);
  });

  it('writes the file in row groups of at most 16,384 rows, so a checkpoint during a load stays small', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) =>
      mintRow(`m${i}`, '2026-11-20T10:00:00.000000Z', `ASIA${i}`, MAIN),
    );
    for (let i = 0; i < rows.length; i += store.preferredBatchRows)
      await store.writeRows(rows.slice(i, i + store.preferredBatchRows));
    await store.sql('CHECKPOINT');
    const groups = await store.sql(
      "SELECT row_group_id, max(start + count) - min(start) AS n FROM pragma_storage_info('events') WHERE column_id = 0 GROUP BY ALL",
    );
    expect(groups.rows.length).toBeGreaterThanOrEqual(3);
    for (const group of groups.rows) expect(group.n).toBeLessThanOrEqual(16_384);
  });

  it("gives queries DuckDB's default buffer pool back after a load, which runs under its own cap", async () => {
    const fresh = await store.sql("SELECT current_setting('memory_limit') AS limit");
    await store.writeRows([mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN)]);
    const after = await store.sql("SELECT current_setting('memory_limit') AS limit");
    expect(after.rows).toEqual(fresh.rows);
  });

  it('declares no primary key on the tables it loads, so their key index costs no memory', async () => {
    const keys = await store.sql(
      "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()",
    );
    expect(keys.rows).toEqual([{ table_name: 'alerts' }]);
  });

  it('loads into an older store file whose key index alone outgrows a fixed cap: a million rows', async () => {
    // Stores made before `duckDbPrimaryKey` declare event_id the primary key, and DuckDB cannot drop
    // it. DuckDB keeps that index in memory, all of it once a batch of random keys is inserted:
    // 90 MiB for a million UUIDs. At a fixed 96 MiB this failed with "Out of Memory".
    await store.close();
    const path = join(directory, 'older.duckdb');
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(duckDbCreateTable({ ...EVENTS_TABLE, duckDbPrimaryKey: true }));
    await connection.run(
      "INSERT INTO events (event_id, event_time, cloud, source, action, category, outcome, raw) SELECT uuid()::VARCHAR, TIMESTAMPTZ '2026-11-20 10:00:00+00', 'aws', 'sts.amazonaws.com', 'AssumeRoleWithWebIdentity', 'token_exchange', 'success', '{}' FROM range(1000000)",
    );
    connection.closeSync();
    instance.closeSync();
    // Opened as the next ingest would: the index is on disk, not yet in memory.
    store = await DuckDbStore.open(path);
    // Event ids are UUIDs: a batch of them reaches into every part of the index.
    const rows = Array.from({ length: store.preferredBatchRows }, () =>
      mintRow(randomUUID(), '2026-11-20T10:00:00.000000Z', null, MAIN),
    );
    expect(await store.writeRows(rows)).toEqual({ written: rows.length, duplicates: 0, refused: [] });
    expect(await store.writeRows(rows.slice(0, 2))).toEqual({ written: 0, duplicates: 2, refused: [] });
    const count = await store.sql('SELECT count(*) AS n FROM events');
    expect(count.rows).toEqual([{ n: 1_000_000 + rows.length }]);
  });

  it('spills past that cap beside the store file, not into the working directory', async () => {
    const spill = await store.sql("SELECT current_setting('temp_directory') AS directory");
    expect(spill.rows).toEqual([{ directory: `${join(directory, 'nested', 'tokentrail.duckdb')}.tmp` }]);
  });

  it('persists in the file across reopen', async () => {
    await store.writeRows([mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN)]);
    await store.close();
    store = await DuckDbStore.open(join(directory, 'nested', 'tokentrail.duckdb'));
    expect((await store.sql('SELECT event_id FROM events')).rows).toEqual([{ event_id: 'm1' }]);
  });

  it('attributes a data event to the subject whose exchange minted its key, when the mint arrives later', async () => {
    await store.writeRows([s3Row('d1', '2026-11-20T10:01:00.000000Z', 'ASIA1', 'acme-prod-assets')]);
    let { result } = await answer(store, clock, { query: WHO_ACCESSED, patterns: { bucket: '*' } });
    expect(result.rows.map((row) => row.subject)).toEqual([null]);

    await store.writeRows([mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', FORK)]);
    ({ result } = await answer(store, clock, { query: WHO_ACCESSED, patterns: { bucket: '*' } }));
    expect(result.rows).toEqual([
      {
        cloud: 'aws',
        bucket: 'acme-prod-assets',
        root_subject: FORK,
        subject: FORK,
        principal: 'arn:aws:iam::111122223333:role/github-deploy',
        actions: ['GetObject'],
        count: 1,
        failures: 0,
        first_seen: '2026-11-20T10:01:00.000000Z',
        last_seen: '2026-11-20T10:01:00.000000Z',
      },
    ]);
  });

  it('answers who-accessed per (bucket, subject, principal) with a glob, a window and both clouds', async () => {
    await store.writeRows([
      mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN),
      mintRow('m2', '2026-11-21T10:00:00.000000Z', 'ASIA2', FORK),
      s3Row('d1', '2026-11-20T10:01:00.000000Z', 'ASIA1', 'acme-prod-assets'),
      s3Row('d2', '2026-11-20T10:02:00.000000Z', 'ASIA1', 'acme-prod-assets', { action: 'PutObject' }),
      s3Row('d3', '2026-11-21T10:01:00.000000Z', 'ASIA2', 'acme-prod-assets', {
        outcome: 'failure',
        error_code: 'AccessDenied',
      }),
      s3Row('d4', '2026-11-21T10:02:00.000000Z', 'ASIA1', 'acme-deploy-artifacts'),
      s3Row('old', '2026-10-01T10:00:00.000000Z', 'ASIA1', 'acme-prod-assets'),
      gcsRow('g1', '2026-11-19T08:00:00.000000Z', 'acme-prod-models', 'repo:acme/ml:ref:refs/heads/main'),
    ]);

    const { result, range } = await answer(store, clock, {
      query: WHO_ACCESSED,
      patterns: { bucket: 'acme-prod-*' },
    });
    expect(range).toEqual({ since: '2026-11-15T12:00:00.000000Z', until: '2026-11-22T12:00:00.000000Z' });
    expect(result.rows.map((row) => [row.bucket, row.subject, row.actions, row.count, row.failures])).toEqual(
      [
        ['acme-prod-assets', MAIN, ['GetObject', 'PutObject'], 2, 0],
        ['acme-prod-assets', FORK, ['GetObject'], 1, 1],
        ['acme-prod-models', 'repo:acme/ml:ref:refs/heads/main', ['storage.objects.get'], 1, 0],
      ],
    );

    const exact = await answer(store, clock, {
      query: WHO_ACCESSED,
      patterns: { bucket: 'acme-deploy-artifacts' },
    });
    expect(exact.result.rows.map((row) => row.subject)).toEqual([MAIN]);
    const since = await answer(store, clock, {
      query: WHO_ACCESSED,
      patterns: { bucket: '*' },
      since: '60d',
    });
    expect(
      since.result.rows.find((row) => row.bucket === 'acme-prod-assets' && row.subject === MAIN)?.count,
    ).toBe(3);
  });

  it.each([
    ['acme?prod', ['acme.prod', 'acmeXprod']],
    ['acme.prod', ['acme.prod']],
    ['acme.pro*', ['acme.prod']],
    ['.*', []],
    ["x' OR '1'='1", []],
  ])('reads the bucket pattern %j as a glob, never as regex or SQL', async (bucket, expected) => {
    await store.writeRows([
      s3Row('d1', '2026-11-20T10:01:00.000000Z', 'ASIA1', 'acme.prod'),
      s3Row('d2', '2026-11-20T10:02:00.000000Z', 'ASIA1', 'acmeXprod'),
    ]);
    const { result } = await answer(store, clock, { query: WHO_ACCESSED, patterns: { bucket } });
    expect(result.rows.map((row) => row.bucket)).toEqual(expected);
  });

  it('answers subjects, principals and failures', async () => {
    await store.writeRows([
      mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN),
      mintRow('m2', '2026-11-20T11:00:00.000000Z', 'ASIA2', MAIN),
      mintRow('m3', '2026-11-21T10:00:00.000000Z', null, FORK, {
        outcome: 'failure',
        error_code: 'InvalidIdentityToken',
        error_message: 'Incorrect token audience',
      }),
      s3Row('d1', '2026-11-20T10:01:00.000000Z', 'ASIA1', 'acme-prod-assets', {
        outcome: 'failure',
        error_code: 'AccessDenied',
      }),
    ]);
    const subjects = await answer(store, clock, {
      query: SUBJECTS,
      patterns: { principal: '*github-deploy' },
    });
    expect(subjects.result.rows.map((row) => [row.subject, row.count, row.failures])).toEqual([
      [MAIN, 2, 0],
      [FORK, 1, 1],
    ]);
    const principals = await answer(store, clock, {
      query: PRINCIPALS,
      patterns: { subject: 'repo:acme/*' },
    });
    expect(principals.result.rows.map((row) => [row.principal, row.count])).toEqual([
      ['arn:aws:iam::111122223333:role/github-deploy', 2],
    ]);
    const failures = await answer(store, clock, { query: FAILURES });
    expect(
      failures.result.rows.map((row) => [row.action, row.error_code, row.subject, row.example_message]),
    ).toEqual([
      ['AssumeRoleWithWebIdentity', 'InvalidIdentityToken', FORK, 'Incorrect token audience'],
      ['GetObject', 'AccessDenied', MAIN, null],
    ]);
  });

  it('quarantines rejected records with their bytes, once however often they are written', async () => {
    const rejection: Rejection = {
      input: 'AWSLogs/x.json.gz',
      code: 'invalid_json',
      message: 'Unexpected token',
      raw: '{"Records":[{"eventID": broken',
      delivery: 'cloudtrail-file',
      position: { value: 0, path: '/Records/3', offset: 120 },
    };
    await store.writeQuarantine([rejection], '2026-11-22T12:00:00.000000Z');
    await store.writeQuarantine([rejection], '2026-11-22T12:05:00.000000Z');
    await store.writeQuarantine(
      [{ ...rejection, position: { ...rejection.position, path: '/Records/4' } }],
      '2026-11-22T12:05:00.000000Z',
    );
    const stored = await store.sql(
      "SELECT input, delivery, code, message, raw, position->>'path' AS path, quarantined_at FROM quarantine ORDER BY path",
    );
    expect(stored.rows).toEqual([
      {
        input: 'AWSLogs/x.json.gz',
        delivery: 'cloudtrail-file',
        code: 'invalid_json',
        message: 'Unexpected token',
        raw: '{"Records":[{"eventID": broken',
        path: '/Records/3',
        quarantined_at: '2026-11-22T12:00:00.000000Z',
      },
      expect.objectContaining({ path: '/Records/4' }),
    ]);
  });

  it('refuses to open a file another process holds, and says so', async () => {
    const path = join(directory, 'nested', 'tokentrail.duckdb');
    await store.close();
    const holder = spawn(
      process.execPath,
      [
        '-e',
        // It exits by itself after a minute, so a timed-out case cannot leave it running.
        `require('@duckdb/node-api').DuckDBInstance.create(${JSON.stringify(path)}).then(() => { console.log('open'); setTimeout(() => process.exit(0), 60_000); })`,
      ],
      { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      await expect(DuckDbStore.open(path)).rejects.toThrow(
        /cannot open the DuckDB store .*another tokentrail process has it open/,
      );
    } finally {
      holder.kill();
      await new Promise((resolve) => holder.once('exit', resolve));
      store = await DuckDbStore.open(path);
    }
  });
});
