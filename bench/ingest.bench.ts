/**
 * `npm run bench` (BENCH_ONLY=ingest): the real CLI `ingest` of a gzip CloudTrail file of relevant
 * records into a fresh DuckDB file, in a child process (its peak RSS and rows/s), against DuckDB's
 * own `read_json` of the same rows, normalized beforehand with `normalize --raw`, into the same
 * table. Alternating rounds, medians. Data goes to .bench/ (ignored by git).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { COLUMNS } from '../shared/core/schema/columns.js';
import { duckDbSetup } from '../shared/core/schema/duckdb-ddl.js';
import { federationRecord, seededRandom } from './synthetic-cloudtrail.js';

const DIR = '.bench';
const SIZES = (process.env.BENCH_INGEST_RECORDS ?? '200000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 5);

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** One gzip CloudTrail file of `count` federation records (every one kept by tokentrail). */
async function generateTrail(count: number): Promise<string> {
  const path = `${DIR}/ingest-${count}.json.gz`;
  if (existsSync(path)) return path;
  mkdirSync(DIR, { recursive: true });
  const random = seededRandom(12);
  const start = Date.parse('2026-11-01T00:00:00Z');
  const gzip = createGzip();
  const done = finished(gzip.pipe(createWriteStream(path)));
  gzip.write('{"Records":[');
  for (let i = 0; i < count; i += 1000) {
    let chunk = '';
    for (let k = i; k < Math.min(count, i + 1000); k++)
      chunk += (k === 0 ? '' : ',') + JSON.stringify(federationRecord(random, new Date(start + k * 1000)));
    if (!gzip.write(chunk)) await new Promise<void>((resolve) => gzip.once('drain', () => resolve()));
  }
  gzip.end(']}');
  await done;
  return path;
}

function runCli(args: readonly string[]): { seconds: number; rows: number; maxRssBytes: number } {
  const child = spawnSync(process.execPath, ['dist/bench/measure-rss.js', '--cli', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`tokentrail ${args.join(' ')} failed: ${child.stderr}`);
  const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    code: number;
    rows: number;
    seconds: number;
    maxRssBytes: number;
  };
  if (report.code !== 0) throw new Error(`tokentrail ${args.join(' ')} exited ${report.code}`);
  return report;
}

/** The rows as `normalize --raw` writes them, for read_json. */
function normalizedRows(trail: string): string {
  const path = trail.replace(/\.json\.gz$/, '.rows.ndjson');
  if (existsSync(path)) return path;
  const child = spawnSync(
    'sh',
    [
      '-c',
      `node bin/tokentrail.js normalize --raw --no-progress "${trail}" > "${path}.tmp" && mv "${path}.tmp" "${path}"`,
    ],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`normalize --raw failed: ${child.stderr}`);
  return path;
}

const READ_JSON_COLUMNS = `{${COLUMNS.map(
  (column) =>
    `${column.name}: '${{ string: 'VARCHAR', timestamp: 'TIMESTAMPTZ', json: 'JSON' }[column.type]}'`,
).join(', ')}}`;

async function readJsonSeconds(ndjson: string, file: string): Promise<number> {
  rmSync(file, { force: true });
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  for (const statement of duckDbSetup()) await connection.run(statement);
  const start = process.hrtime.bigint();
  await connection.run(
    `INSERT INTO events SELECT * FROM read_json('${ndjson}', format = 'newline_delimited', columns = ${READ_JSON_COLUMNS})`,
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  connection.closeSync();
  instance.closeSync();
  return seconds;
}

/**
 * Past this many records the run measures the ingest alone: the rows `read_json` reads would take
 * 3 KB each on disk (12 GB for 4M records). Large inputs are for memory and for the duplicate
 * check against a store that grows as it loads.
 */
const READ_JSON_MAX_RECORDS = 1_000_000;

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;

async function ingestOf(count: number): Promise<void> {
  const trail = await generateTrail(count);
  const ndjson = count > READ_JSON_MAX_RECORDS ? undefined : normalizedRows(trail);
  const store = `${DIR}/ingest-ours.duckdb`;
  const ours: number[] = [];
  const theirs: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rmSync(store, { force: true });
    const run = runCli(['ingest', '--no-progress', '--json', '--store', `duckdb:${store}`, trail]);
    if (run.rows !== count) throw new Error(`ingest stored ${run.rows} rows, expected ${count}`);
    ours.push(count / run.seconds);
    rss.push(run.maxRssBytes);
    if (ndjson) theirs.push(count / (await readJsonSeconds(ndjson, `${DIR}/ingest-read-json.duckdb`)));
  }
  console.log(
    `\ningest: ${count.toLocaleString()} relevant CloudTrail records, one gzip file, ${ROUNDS} rounds`,
  );
  if (ndjson) {
    console.log(
      `  DuckDB read_json of the normalized rows (with raw): ${Math.round(median(theirs)).toLocaleString()} rows/s (median)`,
    );
  } else {
    console.log(`  (no read_json baseline past ${READ_JSON_MAX_RECORDS.toLocaleString()} records)`);
  }
  console.log(
    `  tokentrail ingest (CLI, child process, end to end): ${Math.round(median(ours)).toLocaleString()} rows/s (median)`,
  );
  if (ndjson) {
    const ratios = ours.map((rate, i) => rate / theirs[i]!);
    console.log(
      `  ratio ingest / read_json: median ${median(ratios).toFixed(2)}, per round ${ratios.map((r) => r.toFixed(2)).join(' ')} (target >= 0.8)`,
    );
  }
  console.log(
    `  ingest peak RSS: median ${mb(median(rss))} (${mb(Math.min(...rss))} to ${mb(Math.max(...rss))}) (target <= 512 MB)`,
  );
}

export async function ingestBench(): Promise<void> {
  for (const count of SIZES) await ingestOf(count);
}
