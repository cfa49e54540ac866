import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli-harness.js';
import { type FakeS3Archive, startFakeS3Archive } from '../helpers/fake-s3-archive.js';
import { useFakeAwsCredentials } from './backfill-cli.js';

const FIXTURES = join(__dirname, '../../shared/core/normalize/fixtures');
const fixtureRecord = (path: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as { record: Record<string, unknown> }).record;
const EXCHANGE = fixtureRecord('aws-assume-role-with-web-identity/github-actions-success.json');
const GET_OBJECT = fixtureRecord('aws-s3-data-event/get-object-web-identity-session.json');

const NOW = new Date('2025-11-25T00:00:00Z');
const BUCKET = 'org-trail';
const TRAIL = 'AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-1';
const DIGESTS = 'AWSLogs/o-abc123def4/111122223333/CloudTrail-Digest/us-east-1';

function logFile(prefix: string, count: number, gzip = true): Buffer {
  const records = Array.from({ length: count }, (_, index) => ({
    ...(index % 2 === 0 ? EXCHANGE : GET_OBJECT),
    eventID: `${prefix}-${String(index).padStart(5, '0')}`,
  }));
  const text = Buffer.from(JSON.stringify({ Records: records }));
  return gzip ? gzipSync(text) : text;
}

const KEYS = {
  a: `${TRAIL}/2025/11/20/111122223333_CloudTrail_us-east-1_20251120T1005Z_aaaa.json.gz`,
  b: `${TRAIL}/2025/11/20/111122223333_CloudTrail_us-east-1_20251120T1010Z_bbbb.json.gz`,
  c: `${TRAIL}/2025/11/21/111122223333_CloudTrail_us-east-1_20251121T0005Z_cccc.json.gz`,
  d: `${TRAIL}/2025/11/22/111122223333_CloudTrail_us-east-1_20251122T0005Z_dddd.json`,
};

function archive(): Map<string, Buffer> {
  return new Map([
    [KEYS.a, logFile('a', 2)],
    [KEYS.b, logFile('b', 400)], // large enough to arrive in many chunks
    [KEYS.c, logFile('c', 3)],
    [KEYS.d, logFile('d', 2, false)],
    [
      `${DIGESTS}/2025/11/20/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20251120T1005Z.json.gz`,
      gzipSync('{}'),
    ],
    [`${TRAIL}/2025/11/20/README.txt`, Buffer.from('not a log file')],
    ['elsewhere/111122223333_CloudTrail_us-east-1_20251120T1005Z_zzzz.json.gz', logFile('z', 1)],
  ]);
}

useFakeAwsCredentials();

let directory: string;
let store: string;
let s3: FakeS3Archive | undefined;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-ingest-s3-'));
  store = join(directory, 'store.duckdb');
});

afterEach(async () => {
  await s3?.close();
  s3 = undefined;
  rmSync(directory, { recursive: true, force: true });
});

const env = () => ({
  TOKENTRAIL_S3_ENDPOINT: s3!.url,
  TOKENTRAIL_CHECKPOINT_DIR: join(directory, 'checkpoints'),
});
const ingest = (...args: string[]) =>
  runCli(['ingest', '--store', store, '--json', ...args], { now: NOW, env: env() });
const sql = async (text: string) =>
  (await runCli(['query', 'sql', text, '--store', store, '--json'], { now: NOW })).rows;
const checkpoints = () =>
  existsSync(join(directory, 'checkpoints')) ? readdirSync(join(directory, 'checkpoints')) : [];
const fetched = () => s3!.requests.filter((r) => r.operation === 'GetObject').map((r) => r.key);
const listings = () => s3!.requests.filter((r) => r.operation === 'ListObjectsV2').map((r) => r.query);

describe('tokentrail ingest s3://', () => {
  it('lists the prefix page by page, skips digests and other files, and streams each log file', async () => {
    s3 = await startFakeS3Archive(archive(), { bucket: BUCKET, pageSize: 2, chunkSize: 1024 });

    const result = await ingest(`s3://${BUCKET}/AWSLogs/`);

    expect(result.code).toBe(0);
    expect(listings()).toEqual([
      { 'list-type': '2', prefix: 'AWSLogs/' },
      { 'list-type': '2', prefix: 'AWSLogs/', 'continuation-token': expect.any(String) },
      { 'list-type': '2', prefix: 'AWSLogs/', 'continuation-token': expect.any(String) },
    ]);
    expect(fetched()).toEqual([KEYS.a, KEYS.b, KEYS.c, KEYS.d]);
    expect(s3.requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKEFORTESTS\//);
    expect(s3.chunksSent.get(KEYS.b)).toBeGreaterThan(5);
    expect(result.rows[0]).toMatchObject({ type: 'summary', files: 4, written: 407, quarantined: 0 });
    expect(result.stderrLines).toContainEqual({
      type: 'notice',
      input: `s3://${BUCKET}/AWSLogs/`,
      message: expect.stringContaining('left out 2 objects'),
    });
    expect(
      await sql("SELECT count(*) AS n, count(*) FILTER (category = 'data_access') AS reads FROM events"),
    ).toEqual([{ n: 407, reads: 203 }]);
    // A run that got through the whole listing leaves no checkpoint: the next one starts over.
    expect(checkpoints()).toEqual([]);
  });

  it('skips objects filed before --since, by the day in their key', async () => {
    s3 = await startFakeS3Archive(archive(), { bucket: BUCKET, pageSize: 10 });

    const result = await ingest(`s3://${BUCKET}/AWSLogs/`, '--since', '2025-11-21');

    expect(result.code).toBe(0);
    expect(fetched()).toEqual([KEYS.c, KEYS.d]);
    expect(result.rows[0]).toMatchObject({ type: 'summary', files: 2 });
  });

  it('keeps the checkpoint before an object that failed, and the next run continues after the last one stored', async () => {
    s3 = await startFakeS3Archive(archive(), {
      bucket: BUCKET,
      pageSize: 2,
      script: (request) =>
        request.operation === 'GetObject' && request.key === KEYS.c
          ? { status: 403, code: 'AccessDenied', message: 'Access Denied' }
          : undefined,
    });

    const failed = await ingest(`s3://${BUCKET}/AWSLogs/`);

    expect(failed.code).toBe(1);
    expect(failed.stderrLines).toContainEqual(
      expect.objectContaining({ type: 'error', file: `s3://${BUCKET}/${KEYS.c}` }),
    );
    expect(fetched()).toEqual([KEYS.a, KEYS.b, KEYS.c, KEYS.d]); // the others are still ingested
    expect(failed.rows[0]).toMatchObject({ written: 404 });
    const [file] = checkpoints();
    expect(JSON.parse(readFileSync(join(directory, 'checkpoints', file!), 'utf8'))).toMatchObject({
      uri: `s3://${BUCKET}/AWSLogs/`,
      last_key: KEYS.b,
    });

    await s3.close();
    s3 = await startFakeS3Archive(archive(), { bucket: BUCKET, pageSize: 2 });
    const resumed = await ingest(`s3://${BUCKET}/AWSLogs/`);

    expect(resumed.code).toBe(0);
    expect(listings()[0]).toEqual({ 'list-type': '2', prefix: 'AWSLogs/', 'start-after': KEYS.b });
    expect(fetched()).toEqual([KEYS.c, KEYS.d]);
    expect(resumed.stderrLines).toContainEqual(
      expect.objectContaining({
        type: 'notice',
        message: expect.stringContaining(`resuming s3://${BUCKET}/AWSLogs/ after ${KEYS.b}`),
      }),
    );
    expect(resumed.rows[0]).toMatchObject({ written: 3, duplicates: 2 });
    expect(await sql('SELECT count(*) AS n FROM events')).toEqual([{ n: 407 }]);
    expect(checkpoints()).toEqual([]);
  });

  it('reports a listing that fails part way, after storing what it listed before', async () => {
    s3 = await startFakeS3Archive(archive(), {
      bucket: BUCKET,
      pageSize: 2,
      script: (request) =>
        request.operation === 'ListObjectsV2' && request.query['continuation-token']
          ? { status: 403, code: 'AccessDenied', message: 'Access Denied' }
          : undefined,
    });

    const result = await ingest(`s3://${BUCKET}/AWSLogs/`);

    expect(result.code).toBe(1);
    expect(result.stderrLines).toContainEqual(
      expect.objectContaining({ type: 'error', file: `s3://${BUCKET}/AWSLogs/` }),
    );
    // The first page held the digest (sorted first) and file a.
    expect(fetched()).toEqual([KEYS.a]);
    expect(checkpoints()).toHaveLength(1);
  });

  it('normalizes s3:// too, without checkpoints (stdout is no store), and refuses a bad URI', async () => {
    s3 = await startFakeS3Archive(archive(), { bucket: BUCKET });

    const result = await runCli(['normalize', `s3://${BUCKET}/${TRAIL}/2025/11/21/`], { env: env() });

    expect(result.code).toBe(0);
    expect(result.rows).toHaveLength(3);
    expect(checkpoints()).toEqual([]);

    const bad = await ingest('s3://Not_A_Bucket/x');
    expect(bad.code).toBe(1);
    expect(bad.stderrLines).toContainEqual(
      expect.objectContaining({
        type: 'error',
        message: expect.stringContaining('does not name an S3 bucket'),
      }),
    );
  });
});
