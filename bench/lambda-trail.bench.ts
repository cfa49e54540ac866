/**
 * `npm run bench` (BENCH_ONLY=lambda-trail): the S3 trail-files Lambda, bundled as it ships, on one
 * SQS message naming one gzip organisation-trail object (~3 % relevant records) served by the local
 * S3 stand-in, in a fresh child process per run, for objects of about 1 MiB, 100 MiB and 1 GiB
 * inflated. Per size: the child's peak RSS (flat means the 1 GiB peak is about the 100 MiB one),
 * the handler's wall time and CPU seconds (user + system, every thread: zlib inflates on the
 * thread pool) per GiB inflated and per GiB of gz object, the rows BigQuery was sent and the
 * relevant events per GiB. Sizes alternate in each round; medians and spread.
 *
 * The child runs with the V8 heap flags Lambda's Node.js runtime derives from the function's
 * memory size (a tenth of it young generation, half that per semi-space, the rest old space), for
 * each size in BENCH_LAMBDA_MEMORY_MB (default 1024,256: the memorySize serverless.yml gives
 * cloudtrailFiles, and the smallest size its peak fits with room to spare). The young generation
 * grows to its bound during the first seconds of a run whatever the input, so a short run peaks
 * lower than a long one; the report shows it beside the peak (docs/decisions/0006-lambda-trail-memory.md). Generated objects are cached in .bench/ (ignored by
 * git); they are written streamed, never held in memory. BENCH_LAMBDA_SIZES_MIB and
 * BENCH_LAMBDA_ROUNDS change the sizes (MiB inflated) and rounds; BENCH_LAMBDA_INSERT_MS makes the
 * BigQuery stand-in answer each insertAll that much later, as a real round trip would (the local
 * one answers in about a millisecond, so the default leaves that wait out of the wall time).
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { compilePolicyFile } from '../shared/adapters/policy/compile-policy-file.js';
import { buildLambdas } from './cold-start-bundles.js';
import { sqsObjectCreated } from './cold-start-events.js';
import { lambdaEnvironment, type StandIns, startStandIns } from './cold-start-stand-ins.js';
import { runNode } from './run-node.js';
import { orgTrailRecord, seededRandom } from './synthetic-cloudtrail.js';

const ROOT = resolve('.');
const DIR = resolve('.bench');
const OUT = join(DIR, 'lambda-trail');
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const SIZES_MIB = (process.env.BENCH_LAMBDA_SIZES_MIB ?? '1,100,1024').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_LAMBDA_ROUNDS ?? 3);
const MEMORY_MB = (process.env.BENCH_LAMBDA_MEMORY_MB ?? '1024,256').split(',').map(Number);
const INSERT_ALL_MS = Number(process.env.BENCH_LAMBDA_INSERT_MS ?? 0);
const RELEVANT_SHARE = 0.03;
const BUCKET = 'org-trail';

interface TrailObject {
  readonly mib: number;
  readonly path: string;
  readonly key: string;
  readonly records: number;
  readonly inflatedBytes: number;
  readonly gzBytes: number;
}

/** One gzip CloudTrail file of org-trail records whose inflated size just reaches `mib` MiB. */
async function generateTrail(mib: number): Promise<TrailObject> {
  const path = join(DIR, `lambda-trail-${mib}MiB.json.gz`);
  const metaPath = `${path}.meta.json`;
  const key = `AWSLogs/o-bench/111122223333/CloudTrail/us-east-1/2026/11/20/trail-${mib}MiB.json.gz`;
  if (existsSync(path) && existsSync(metaPath)) {
    return { mib, path, key, ...(JSON.parse(readFileSync(metaPath, 'utf8')) as object) } as TrailObject;
  }
  const random = seededRandom(1212 + mib);
  const start = Date.parse('2026-11-20T00:00:00Z');
  const gzip = createGzip();
  const file = createWriteStream(`${path}.tmp`);
  const done = finished(gzip.pipe(file));
  const target = mib * MIB;
  let inflatedBytes = 0;
  let records = 0;
  const write = async (text: string) => {
    inflatedBytes += Buffer.byteLength(text);
    if (!gzip.write(text)) await new Promise<void>((ready) => gzip.once('drain', () => ready()));
  };
  await write('{"Records":[');
  while (inflatedBytes < target - 2) {
    let chunk = '';
    for (let k = 0; k < 500 && inflatedBytes + chunk.length < target - 2; k++, records++) {
      const record = orgTrailRecord(random, new Date(start + records * 50), RELEVANT_SHARE);
      chunk += (records === 0 ? '' : ',') + JSON.stringify(record);
    }
    await write(chunk);
  }
  inflatedBytes += 2;
  gzip.end(']}');
  await done;
  renameSync(`${path}.tmp`, path);
  const meta = { records, inflatedBytes, gzBytes: file.bytesWritten };
  writeFileSync(metaPath, JSON.stringify(meta));
  return { mib, path, key, ...meta };
}

/** What the child reports of one invocation. */
interface Run {
  readonly wallSeconds: number;
  /** user + system CPU of the handler call, every thread. */
  readonly cpuSeconds: number;
  readonly maxRssBytes: number;
  /** V8's young generation at the end (it grows to its flag's bound on a long run), and the heap live after a full GC. */
  readonly youngBytes: number;
  readonly liveHeapBytes: number;
  readonly rows: number;
  readonly skipped: number;
  readonly failures: number;
}

/**
 * Imports the bundle, invokes the handler once, then reports. The handler's invocation line (its
 * counts) is on the same stdout, before the report.
 */
const probeScript = (bundle: string) => `import { getHeapSpaceStatistics } from 'node:v8';
const { handler } = await import(${JSON.stringify(bundle)});
const event = JSON.parse(process.env.BENCH_EVENT);
const cpu = process.cpuUsage();
const started = performance.now();
const result = await handler(event, { awsRequestId: 'bench' });
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const maxRssKiB = process.resourceUsage().maxRSS;
const youngBytes = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').physical_space_size;
globalThis.gc();
process.stdout.write(JSON.stringify({
  type: 'bench',
  wallMs,
  cpuMicros: used.user + used.system,
  maxRssKiB,
  youngBytes,
  liveHeapBytes: process.memoryUsage().heapUsed,
  failures: result.batchItemFailures.length,
}) + '\\n');
process.exit(0);
`;

/** V8's flags as Lambda's Node.js runtime sets them for a function of `mb` MB. */
function lambdaHeapFlags(mb: number): string[] {
  const young = Math.floor(mb / 10);
  return [
    '--expose-gc',
    `--max-semi-space-size=${Math.floor(young / 2)}`,
    `--max-old-space-size=${mb - young}`,
  ];
}

async function runChild(memoryMb: number, probe: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const { code, stdout, stderr } = await runNode([...lambdaHeapFlags(memoryMb), probe], env);
  if (code !== 0)
    throw new Error(`the trail-files handler exited ${code}:\n${stderr}\n${stdout.slice(-2000)}`);
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const report = lines.find((line) => line.type === 'bench') as {
    wallMs: number;
    cpuMicros: number;
    maxRssKiB: number;
    youngBytes: number;
    liveHeapBytes: number;
    failures: number;
  };
  // The handler's line about the message; a failed message's line is an ERROR, on stderr.
  const message = lines.find((line) => line.message === 'sqs message') as
    | { objects?: { rows: number; skipped: number }[] }
    | undefined;
  const object = message?.objects?.[0];
  if (report.failures > 0 || !object) throw new Error(`the handler failed the message:\n${stderr}`);
  return {
    wallSeconds: report.wallMs / 1000,
    cpuSeconds: report.cpuMicros / 1e6,
    maxRssBytes: report.maxRssKiB * 1024,
    youngBytes: report.youngBytes,
    liveHeapBytes: report.liveHeapBytes,
    rows: object.rows,
    skipped: object.skipped,
    failures: report.failures,
  };
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

const spread = (values: readonly number[], digits: number) =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

interface Measured {
  readonly runs: ReadonlyMap<TrailObject, readonly Run[]>;
  /** The rows BigQuery was sent for each object, in one run: their data size and billed size. */
  readonly sent: ReadonlyMap<TrailObject, { readonly rowBytes: number; readonly billedBytes: number }>;
}

async function measure(
  memoryMb: number,
  objects: readonly TrailObject[],
  probe: string,
  env: NodeJS.ProcessEnv,
  standIns: StandIns,
): Promise<Measured> {
  const runs = new Map<TrailObject, Run[]>(objects.map((object) => [object, []]));
  const sent = new Map<TrailObject, { rowBytes: number; billedBytes: number }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const object of objects) {
      const rowsBefore = standIns.rowsWritten();
      const before = standIns.insertAllBytes();
      const run = await runChild(memoryMb, probe, {
        ...env,
        BENCH_EVENT: JSON.stringify(sqsObjectCreated(BUCKET, object.key)),
      });
      const rows = standIns.rowsWritten() - rowsBefore;
      if (rows !== run.rows) throw new Error(`the handler counted ${run.rows} rows, BigQuery got ${rows}`);
      const after = standIns.insertAllBytes();
      sent.set(object, {
        rowBytes: after.rowBytes - before.rowBytes,
        billedBytes: after.billedBytes - before.billedBytes,
      });
      runs.get(object)!.push(run);
    }
  }
  return { runs, sent };
}

const mib = (bytes: number) => (bytes / MIB).toFixed(0);
const cell = (values: readonly number[], digits: number) =>
  `${median(values).toFixed(digits)} (${spread(values, digits)})`;

function report(memoryMb: number, objects: readonly TrailObject[], { runs, sent }: Measured): void {
  console.log(
    `\nS3 trail-files Lambda (bundled; V8 flags of a ${memoryMb} MB function), one SQS message naming one gzip org-trail object (${RELEVANT_SHARE * 100} % relevant), fresh process per run, insertAll answered after ${INSERT_ALL_MS} ms, ${ROUNDS} alternating rounds, medians (spread)`,
  );
  for (const object of objects) {
    const measured = runs.get(object)!;
    const pick = (of: (run: Run) => number) => measured.map(of);
    const cpu = median(pick((run) => run.cpuSeconds));
    const rows = measured[0]!.rows;
    const inflatedGiB = object.inflatedBytes / GIB;
    const { rowBytes, billedBytes } = sent.get(object)!;
    console.log(
      `  ${mib(object.inflatedBytes)} MiB inflated, ${(object.gzBytes / MIB).toFixed(1)} MiB gz: ${object.records.toLocaleString()} records, ${rows.toLocaleString()} rows sent to BigQuery (${(rowBytes / Math.max(1, rows)).toFixed(0)} B each by BigQuery's data size, ${(billedBytes / MIB).toFixed(1)} MiB billed as streaming inserts), ${Math.round(rows / inflatedGiB).toLocaleString()} relevant events/GiB`,
    );
    const rss = cell(
      pick((run) => run.maxRssBytes / MIB),
      0,
    );
    const young = cell(
      pick((run) => run.youngBytes / MIB),
      0,
    );
    const live = cell(
      pick((run) => run.liveHeapBytes / MIB),
      0,
    );
    console.log(
      `    peak RSS ${rss} MB; V8 young generation at the end ${young} MB; heap live after GC ${live} MB`,
    );
    const wall = cell(
      pick((run) => run.wallSeconds),
      2,
    );
    const cpuCell = cell(
      pick((run) => run.cpuSeconds),
      2,
    );
    console.log(
      `    handler wall ${wall} s, CPU ${cpuCell} s: ${(cpu / inflatedGiB).toFixed(2)} CPU s/GiB inflated, ${(cpu / (object.gzBytes / GIB)).toFixed(2)} CPU s/GiB gz`,
    );
  }
  const [first, small, big] = [objects[0], objects.at(-2), objects.at(-1)];
  if (!first || !small || !big || small === big) return;
  const rss = (object: TrailObject) => median(runs.get(object)!.map((run) => run.maxRssBytes));
  const rest = (object: TrailObject) =>
    median(runs.get(object)!.map((run) => run.maxRssBytes - run.youngBytes));
  const cpu = (object: TrailObject) => median(runs.get(object)!.map((run) => run.cpuSeconds));
  const marginal = (cpu(big) - cpu(first)) / ((big.inflatedBytes - first.inflatedBytes) / GIB);
  console.log(
    `  peak RSS ${mib(big.inflatedBytes)} MiB / ${mib(small.inflatedBytes)} MiB object: ${(rss(big) / rss(small)).toFixed(2)}× (flat: about 1×); less the young generation ${(rest(big) / rest(small)).toFixed(2)}×`,
  );
  console.log(
    `  CPU per further GiB inflated (the ${mib(big.inflatedBytes)} MiB run less the ${mib(first.inflatedBytes)} MiB one: start-up and credentials excluded): ${marginal.toFixed(2)} s`,
  );
}

export async function lambdaTrailBench(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const objects: TrailObject[] = [];
  for (const size of SIZES_MIB) objects.push(await generateTrail(size));
  const standIns: StandIns = await startStandIns({ insertAllDelayMs: INSERT_ALL_MS });
  try {
    const bundle = (await buildLambdas(ROOT, join(OUT, 'aws'))).cloudtrailFiles!;
    const policy = await compilePolicyFile(join(ROOT, 'docs/policy.example.yaml'), OUT);
    const probe = join(OUT, 'probe.mjs');
    writeFileSync(probe, probeScript(bundle));
    const env = {
      ...lambdaEnvironment(standIns, OUT, {
        PATH: process.env.PATH,
        TOKENTRAIL_STORE: 'bigquery://bench-project/tokentrail',
        TOKENTRAIL_BIGQUERY_ENDPOINT: standIns.url,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      }),
      TOKENTRAIL_POLICY: policy,
    };
    for (const object of objects) standIns.putObjectFile(BUCKET, object.key, object.path);
    for (const memoryMb of MEMORY_MB) {
      report(memoryMb, objects, await measure(memoryMb, objects, probe, env, standIns));
    }
  } finally {
    await standIns.close();
  }
}
