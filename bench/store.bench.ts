/**
 * `npm run bench` (second part): loading rows into the embedded DuckDB store against DuckDB's own
 * `read_json` of the same NDJSON, in the same run; end-to-end ingest of gzip CloudTrail files; and
 * who-accessed latency on 1M and 10M rows. Data goes to .bench/ (ignored by git).
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../shared/adapters/duckdb/duckdb-store.js';
import { normalizeRecord } from '../shared/core/normalize/normalize-record.js';
import { WHO_ACCESSED } from '../shared/core/queries/named-queries.js';
import { COLUMNS, type ColumnSpec } from '../shared/core/schema/columns.js';
import { duckDbSetup } from '../shared/core/schema/duckdb-ddl.js';
import type { Row } from '../shared/core/schema/row.js';
import { answer } from '../shared/pipeline/query.js';
import { federationRecord, seededRandom } from './synthetic-cloudtrail.js';

const DIR = '.bench';
const LOAD_ROWS = Number(process.env.BENCH_LOAD_ROWS ?? 200_000);
const QUERY_SIZES = (process.env.BENCH_QUERY_ROWS ?? '1000000,10000000').split(',').map(Number);
const ROUNDS = 5;

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function syntheticRows(count: number): Row[] {
  const random = seededRandom(7);
  const start = Date.parse('2026-11-01T00:00:00Z');
  const rows: Row[] = [];
  for (let i = 0; rows.length < count; i++) {
    const outcome = normalizeRecord({
      format: 'cloudtrail',
      value: federationRecord(random, new Date(start + i * 1000)) as never,
    });
    if (outcome.type === 'row') rows.push(outcome.row);
  }
  return rows;
}

const READ_JSON_COLUMNS = `{${COLUMNS.map(
  (column) =>
    `${column.name}: '${{ string: 'VARCHAR', timestamp: 'TIMESTAMPTZ', json: 'JSON' }[column.type]}'`,
).join(', ')}}`;

async function loadComparison(): Promise<void> {
  const rows = syntheticRows(LOAD_ROWS);
  const ndjson = `${DIR}/rows.ndjson`;
  const fd = openSync(ndjson, 'w');
  for (const row of rows) writeSync(fd, `${JSON.stringify(row)}\n`);
  closeSync(fd);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const file of [`${DIR}/load-ours.duckdb`, `${DIR}/load-read-json.duckdb`])
      rmSync(file, { force: true });

    const store = await DuckDbStore.open(`${DIR}/load-ours.duckdb`);
    ours.push(
      rows.length /
        (await seconds(async () => {
          for (let i = 0; i < rows.length; i += store.preferredBatchRows) {
            await store.writeRows(rows.slice(i, i + store.preferredBatchRows));
          }
        })),
    );
    await store.close();

    const instance = await DuckDBInstance.create(`${DIR}/load-read-json.duckdb`);
    const connection = await instance.connect();
    for (const statement of duckDbSetup()) await connection.run(statement);
    theirs.push(
      rows.length /
        (await seconds(() =>
          connection.run(
            `INSERT INTO events SELECT * FROM read_json('${ndjson}', format = 'newline_delimited', columns = ${READ_JSON_COLUMNS})`,
          ),
        )),
    );
    connection.closeSync();
    instance.closeSync();
  }
  const ratios = ours.map((rate, i) => rate / theirs[i]!);
  console.log(
    `\nDuckDB load: ${rows.length.toLocaleString()} normalized rows (with raw), ${ROUNDS} rounds, fresh file each`,
  );
  console.log(
    `  DuckDB read_json of the same NDJSON:  ${Math.round(median(theirs)).toLocaleString()} rows/s (median)`,
  );
  console.log(
    `  tokentrail store (data chunks):       ${Math.round(median(ours)).toLocaleString()} rows/s (median)`,
  );
  console.log(
    `  ratio tokentrail / read_json: median ${median(ratios).toFixed(2)} (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  );
}

/** The columns fillSql writes, in order: those of the schema's first version. */
const FILLED_COLUMNS = (COLUMNS as readonly ColumnSpec[])
  .filter((column) => !column.addedLater)
  .map((column) => column.name);

/**
 * A month of synthetic events written by SQL: one mint per ten events, the other nine data access
 * with the minted key, over 60 buckets (a third of them acme-prod-*) and 400 subjects.
 */
function fillSql(count: number): string {
  // The columns named, so a nullable column added to the schema later stays NULL here.
  return `INSERT INTO events (${FILLED_COLUMNS.join(', ')})
SELECT
  'e' || i AS event_id,
  TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds(CAST(i * 2592000 // ${count} AS BIGINT)) AS event_time,
  'aws', CASE WHEN i % 10 = 0 THEN 'sts.amazonaws.com' ELSE 's3.amazonaws.com' END,
  CASE WHEN i % 10 = 0 THEN 'AssumeRoleWithWebIdentity' WHEN i % 3 = 0 THEN 'PutObject' ELSE 'GetObject' END,
  CASE WHEN i % 10 = 0 THEN 'token_exchange' ELSE 'data_access' END,
  CASE WHEN i % 97 = 0 THEN 'failure' ELSE 'success' END,
  NULL, NULL,
  'arn:aws:iam::111122223333:role/role-' || (i // 10 % 40),
  CASE WHEN i % 10 = 0 THEN 'repo:acme/app-' || (i // 10 % 400) || ':ref:refs/heads/main' END,
  CASE WHEN i % 10 = 0 THEN 'https://token.actions.githubusercontent.com' END,
  'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
  'sts.amazonaws.com', NULL,
  CASE WHEN i % 10 <> 0 THEN ['acme-prod-', 'acme-staging-', 'acme-dev-'][i % 3 + 1] || (i // 7 % 20) END,
  CASE WHEN i % 10 <> 0 THEN 'obj/' || i END,
  'ASIA' || (i // 10), NULL, NULL, NULL, '203.0.113.' || (i % 250), 'aws-sdk-js/3', '111122223333', 'us-east-1',
  '{}'
FROM range(${count}) AS t(i)`;
}

async function queryLatency(count: number): Promise<void> {
  const file = `${DIR}/query-${count}.duckdb`;
  rmSync(file, { force: true });
  let store = await DuckDbStore.open(file);
  await store.sql(fillSql(count)); // through the store's own connection
  await store.close();
  store = await DuckDbStore.open(file); // a cold open, as the CLI does
  const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
  const request = { query: WHO_ACCESSED, patterns: { bucket: 'acme-prod-*' } };
  let lines = 0;
  const first = await seconds(async () => {
    lines = (await answer(store, clock, request)).result.rows.length;
  });
  const warm: number[] = [];
  for (let round = 0; round < ROUNDS; round++) warm.push(await seconds(() => answer(store, clock, request)));
  await store.close();
  console.log(
    `  ${count.toLocaleString().padStart(10)} rows: first ${(first * 1000).toFixed(0)} ms, then median ${(median(warm) * 1000).toFixed(0)} ms (${lines} lines, last 7 of 30 days, bucket acme-prod-*)`,
  );
}

export async function storeBench(): Promise<void> {
  await loadComparison();
  console.log('\nwho-accessed latency (DuckDB file, store opened fresh, mint joined at query time):');
  for (const count of QUERY_SIZES) await queryLatency(count);
}
