/**
 * `npm run bench` (first part): normalize throughput for gzip CloudTrail files against a bare baseline in the
 * same run, and peak RSS for a 1 GB uncompressed file through the real CLI code path.
 * Generated data goes to .bench/ (ignored by git), never committed.
 */
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip, gunzipSync, gzipSync, type ZlibOptions } from 'node:zlib';
import { NdjsonQuarantine, NdjsonRowSink } from '../shared/adapters/files/ndjson-output.js';
import { NormalizeRun } from '../shared/pipeline/normalize.js';
import { decodeStream } from '../shared/sources/decode-stream.js';
import { DEFAULT_LIMITS } from '../shared/sources/limits.js';
import { federationRecord, orgTrailRecord, seededRandom } from './synthetic-cloudtrail.js';

const DIR = '.bench';
const FILES = 8;
const RECORDS_PER_FILE = 10_000;
/** Rounds after a discarded warm-up; the order of the pipelines alternates from round to round. */
const ROUNDS = 9;
/** The read-ahead decodeStream gives its gunzip: the bare pipeline gets the same, so neither inflates more in parallel. */
const GUNZIP_OPTIONS = { chunkSize: 64 * 1024, highWaterMark: 1024 * 1024 } as ZlibOptions;
const BIG_FILE_BYTES = Number(process.env.BENCH_BIG_FILE_BYTES ?? 1024 ** 3);

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

function generateGzipFiles(): string[] {
  mkdirSync(DIR, { recursive: true });
  const random = seededRandom(42);
  const start = Date.parse('2025-11-01T00:00:00Z');
  const paths: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const path = `${DIR}/111122223333_CloudTrail_us-east-1_${f}.json.gz`;
    paths.push(path);
    if (existsSync(path)) continue;
    const records = Array.from({ length: RECORDS_PER_FILE }, (_, i) =>
      federationRecord(random, new Date(start + (f * RECORDS_PER_FILE + i) * 1000)),
    );
    writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  }
  return paths;
}

// biome-ignore lint/suspicious/noExplicitAny: reads untyped JSON the way a hand-rolled script would
type Untyped = Record<string, any>;

/** The 12-field row a minimal hand-rolled script would build from a record. */
function bareRow(r: Untyped): string {
  return `${JSON.stringify({
    event_id: r.eventID,
    event_time: r.eventTime,
    source: r.eventSource,
    action: r.eventName,
    outcome: r.errorCode ? 'failure' : 'success',
    error_code: r.errorCode ?? null,
    principal: r.userIdentity?.sessionContext?.sessionIssuer?.arn ?? r.requestParameters?.roleArn ?? null,
    subject: r.responseElements?.subjectFromWebIdentityToken ?? null,
    credential_id: r.userIdentity?.accessKeyId ?? r.responseElements?.credentials?.accessKeyId ?? null,
    source_ip: r.sourceIPAddress,
    user_agent: r.userAgent,
    region: r.awsRegion,
  })}\n`;
}

/** The baseline: what a minimal hand-rolled script would do per file, the whole file in memory. */
async function baseline(paths: string[]): Promise<number> {
  const out = discard();
  let rows = 0;
  for (const path of paths) {
    const { Records } = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { Records: Untyped[] };
    let text = '';
    for (const r of Records) {
      text += bareRow(r);
      rows++;
    }
    out.write(text);
  }
  return rows;
}

/**
 * The bare streaming pipeline of issue 12: gunzip as a stream, records split out of the Records
 * array by the least a splitter must track (string, escape, depth), JSON.parse, the row, stringify.
 * No validation, no caps, no envelopes: a floor, not a product.
 */
async function streamingBaseline(paths: string[]): Promise<number> {
  const out = discard();
  let rows = 0;
  for (const path of paths) {
    let depth = 0;
    let inString = false;
    let escaped = false;
    let pending: Buffer[] = [];
    let start = -1;
    const gunzip = createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(createGunzip(GUNZIP_OPTIONS));
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let text = '';
      start = depth >= 2 ? 0 : -1;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === 0x5c) escaped = true;
          else if (byte === 0x22) inString = false;
          continue;
        }
        if (byte === 0x22) inString = true;
        else if (byte === 0x7b || byte === 0x5b) {
          if (++depth === 3) start = i;
        } else if ((byte === 0x7d || byte === 0x5d) && --depth === 2) {
          pending.push(chunk.subarray(start, i + 1));
          text += bareRow(JSON.parse(Buffer.concat(pending).toString('utf8')) as Untyped);
          pending = [];
          start = -1;
          rows++;
        }
      }
      if (start >= 0) pending.push(chunk.subarray(start));
      out.write(text);
    }
  }
  return rows;
}

async function tokentrail(paths: string[], prefilter = true): Promise<number> {
  const run = new NormalizeRun(new NdjsonRowSink(discard(), false), new NdjsonQuarantine(discard(), false));
  const limits = { ...DEFAULT_LIMITS, prefilter };
  for (const path of paths)
    await run.consume(path, decodeStream(createReadStream(path, { highWaterMark: 256 * 1024 }), limits));
  const summary = run.summary();
  if (summary.rejected > 0) throw new Error(`bench data was rejected: ${JSON.stringify(summary.rejectedBy)}`);
  return summary.rows;
}

async function timed(fn: () => Promise<number>): Promise<{ rows: number; seconds: number; cpu: number }> {
  globalThis.gc?.();
  const before = process.cpuUsage();
  const start = process.hrtime.bigint();
  const rows = await fn();
  const used = process.cpuUsage(before);
  return {
    rows,
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    cpu: (used.user + used.system) / 1e6,
  };
}

/** Runs each step once, in this order on even rounds and in reverse on odd ones, so drift in the machine's load falls on all alike. */
async function alternating<T>(round: number, steps: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(steps.length);
  const order = steps.map((_, k) => (round % 2 === 0 ? k : steps.length - 1 - k));
  for (const k of order) results[k] = await steps[k]!();
  return results;
}

export async function throughput(): Promise<void> {
  const paths = generateGzipFiles();
  const compressed = paths.reduce((sum, p) => sum + statSync(p).size, 0);
  const rates = {
    baseline: [] as number[],
    streaming: [] as number[],
    tokentrail: [] as number[],
    unfiltered: [] as number[],
  };
  await tokentrail(paths); // warm-up
  await baseline(paths);
  const expected = await streamingBaseline(paths);
  if (expected !== FILES * RECORDS_PER_FILE)
    throw new Error(`the streaming baseline split ${expected} records`);
  const cpu = { streaming: [] as number[], tokentrail: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const [b, s, t, u] = await alternating(round, [
      () => timed(() => baseline(paths)),
      () => timed(() => streamingBaseline(paths)),
      () => timed(() => tokentrail(paths)),
      () => timed(() => tokentrail(paths, false)),
    ]);
    rates.baseline.push(b!.rows / b!.seconds);
    rates.streaming.push(s!.rows / s!.seconds);
    rates.tokentrail.push(t!.rows / t!.seconds);
    rates.unfiltered.push(u!.rows / u!.seconds);
    cpu.streaming.push(s!.cpu);
    cpu.tokentrail.push(t!.cpu);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const ratios = rates.tokentrail.map((t, i) => t / rates.baseline[i]!);
  console.log(
    `\nnormalize throughput: ${FILES} gzip CloudTrail files, ${FILES * RECORDS_PER_FILE} federation records, ${(compressed / 1024 ** 2).toFixed(1)} MB compressed, ${ROUNDS} rounds`,
  );
  console.log(
    `  baseline (gunzip + JSON.parse + 12-field row + stringify): ${Math.round(median(rates.baseline)).toLocaleString()} rows/s (median)`,
  );
  console.log(
    `  tokentrail normalize (streaming, all columns):            ${Math.round(median(rates.tokentrail)).toLocaleString()} rows/s (median)`,
  );
  console.log(
    `  ratio tokentrail / baseline: median ${median(ratios).toFixed(2)}, per round ${ratios.map((r) => r.toFixed(2)).join(' ')}`,
  );
  const streaming = rates.tokentrail.map((t, i) => t / rates.streaming[i]!);
  console.log(
    `  bare streaming pipeline (gunzip stream + split + JSON.parse + row + stringify): ${Math.round(median(rates.streaming)).toLocaleString()} rows/s (median)`,
  );
  console.log(
    `  ratio tokentrail / bare streaming: median ${median(streaming).toFixed(2)}, per round ${streaming.map((r) => r.toFixed(2)).join(' ')}`,
  );
  const cpuRatios = cpu.streaming.map((s, i) => s / cpu.tokentrail[i]!);
  console.log(
    `  the same by CPU time (bare streaming CPU s / tokentrail CPU s, >= 1 means tokentrail costs less): median ${median(cpuRatios).toFixed(2)}, per round ${cpuRatios.map((r) => r.toFixed(2)).join(' ')}`,
  );
  const unfiltered = rates.unfiltered.map((u, i) => u / rates.streaming[i]!);
  console.log(
    `  ratio tokentrail / bare streaming with the prefilter off (throughput): median ${median(unfiltered).toFixed(2)}, per round ${unfiltered.map((r) => r.toFixed(2)).join(' ')}`,
  );
}

async function generateBigFile(): Promise<string> {
  const path = `${DIR}/big-cloudtrail-${BIG_FILE_BYTES}.json`;
  if (existsSync(path) && statSync(path).size >= BIG_FILE_BYTES) return path;
  mkdirSync(DIR, { recursive: true });
  const random = seededRandom(7);
  const out = createWriteStream(path);
  out.write('{"Records":[');
  let written = 13;
  let i = 0;
  const start = Date.parse('2025-11-01T00:00:00Z');
  while (written < BIG_FILE_BYTES) {
    let chunk = '';
    for (let k = 0; k < 1000; k++, i++)
      chunk += (i === 0 ? '' : ',') + JSON.stringify(federationRecord(random, new Date(start + i * 100)));
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end(']}');
  await finished(out);
  return path;
}

function peakRss(path: string): void {
  const child = spawnSync(process.execPath, ['dist/bench/measure-rss.js', path], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0 && child.status !== 3) throw new Error(`measure-rss failed: ${child.stderr}`);
  const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    maxRssBytes: number;
    seconds: number;
    rows: number;
  };
  const size = statSync(path).size;
  console.log(
    `\npeak RSS: ${(size / 1024 ** 3).toFixed(2)} GiB uncompressed CloudTrail file through \`tokentrail normalize\` (rows to /dev/null)`,
  );
  console.log(
    `  ${report.rows.toLocaleString()} rows in ${report.seconds.toFixed(1)} s (${(size / 1024 ** 2 / report.seconds).toFixed(0)} MB/s), peak RSS ${(report.maxRssBytes / 1024 ** 2).toFixed(0)} MB (target <= 256 MB)`,
  );
}

const ORG_FILES = 3;
const ORG_RECORDS_PER_FILE = 20_000;
const RELEVANT_SHARE = 0.03;

function generateOrgTrail(): string[] {
  mkdirSync(DIR, { recursive: true });
  const random = seededRandom(1203);
  const start = Date.parse('2025-11-03T00:00:00Z');
  const paths: string[] = [];
  for (let f = 0; f < ORG_FILES; f++) {
    const path = `${DIR}/org-trail-${RELEVANT_SHARE}-${f}.json.gz`;
    paths.push(path);
    if (existsSync(path)) continue;
    const records = Array.from({ length: ORG_RECORDS_PER_FILE }, (_, i) =>
      orgTrailRecord(random, new Date(start + (f * ORG_RECORDS_PER_FILE + i) * 100), RELEVANT_SHARE),
    );
    writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  }
  return paths;
}

/** The floor: inflating the files as decodeStream does (node zlib stream, same options), output discarded. */
async function gunzipAlone(paths: string[]): Promise<number> {
  let bytes = 0;
  for (const path of paths) {
    const gunzip = createGunzip(GUNZIP_OPTIONS);
    createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(gunzip);
    for await (const chunk of gunzip as AsyncIterable<Buffer>) bytes += chunk.length;
  }
  return bytes;
}

/** CPU seconds (user + system, every thread of the process: zlib inflates on the thread pool). */
async function cpuSeconds(fn: () => Promise<unknown>): Promise<number> {
  globalThis.gc?.();
  const before = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** CPU time of normalize over an org trail where 3 % of records are relevant, against gunzip alone. */
export async function orgTrailBench(): Promise<void> {
  const paths = generateOrgTrail();
  const compressed = paths.reduce((sum, p) => sum + statSync(p).size, 0);
  const inflated = await gunzipAlone(paths);
  await tokentrail(paths, true); // warm-up
  await tokentrail(paths, false);
  const cpu = { gunzip: [] as number[], on: [] as number[], off: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const [gunzip, on, off] = await alternating(round, [
      () => cpuSeconds(() => gunzipAlone(paths)),
      () => cpuSeconds(() => tokentrail(paths, true)),
      () => cpuSeconds(() => tokentrail(paths, false)),
    ]);
    cpu.gunzip.push(gunzip!);
    cpu.on.push(on!);
    cpu.off.push(off!);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const spread = (values: number[]) =>
    `${Math.min(...values).toFixed(2)} to ${Math.max(...values).toFixed(2)}`;
  const on = cpu.on.map((c, i) => c / cpu.gunzip[i]!);
  const off = cpu.off.map((c, i) => c / cpu.gunzip[i]!);
  console.log(
    `\norg trail: ${ORG_FILES} gzip files, ${(ORG_FILES * ORG_RECORDS_PER_FILE).toLocaleString()} records (${RELEVANT_SHARE * 100} % relevant, ${Math.round(inflated / (ORG_FILES * ORG_RECORDS_PER_FILE))} B each on average), ${(compressed / 1024 ** 2).toFixed(1)} MB compressed, ${(inflated / 1024 ** 2).toFixed(0)} MB inflated, ${ROUNDS} rounds`,
  );
  console.log(`  gunzip alone: ${median(cpu.gunzip).toFixed(2)} CPU s (median)`);
  console.log(
    `  normalize / gunzip CPU time, prefilter on:  median ${median(on).toFixed(2)} (${spread(on)}), ${median(cpu.on).toFixed(2)} CPU s`,
  );
  console.log(
    `  normalize / gunzip CPU time, prefilter off: median ${median(off).toFixed(2)} (${spread(off)}), ${median(cpu.off).toFixed(2)} CPU s`,
  );
}

export async function normalizeBench(): Promise<void> {
  await orgTrailBench();
  await throughput();
  peakRss(await generateBigFile());
}
