import { gzipSync } from 'node:zlib';
import type { Input } from '../../shared/adapters/files/input-files.js';
import { s3Inputs } from '../../shared/adapters/s3/s3-inputs.js';
import { decodeStream } from '../../shared/sources/decode-stream.js';
import { type FakeS3Archive, startFakeS3Archive } from '../helpers/fake-s3-archive.js';

const BUCKET = 'org-trail';
const DAY = (day: string) => `AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/${day}`;
const CREDENTIALS = { accessKeyId: 'AKIDFAKEFORTESTS', secretAccessKey: 'fake-secret-for-tests' };

function records(prefix: string, count: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      Records: Array.from({ length: count }, (_, index) => ({
        eventVersion: '1.08',
        eventID: `${prefix}-${index}`,
        eventTime: '2025-11-20T09:58:00Z',
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRoleWithWebIdentity',
        requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/deploy', padding: 'x'.repeat(500) },
      })),
    }),
  );
}

let s3: FakeS3Archive | undefined;

const QUIET = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const quiet = process.env[QUIET];
beforeAll(() => {
  process.env[QUIET] = 'true';
});
afterAll(() => {
  if (quiet === undefined) delete process.env[QUIET];
  else process.env[QUIET] = quiet;
});

afterEach(async () => {
  await s3?.close();
  s3 = undefined;
});

async function names(inputs: AsyncIterable<Input>): Promise<string[]> {
  const all: string[] = [];
  for await (const input of inputs) all.push(input.name);
  return all;
}

describe('s3Inputs', () => {
  it('streams an object: records come out while the rest of the body is still on the wire', async () => {
    const key = `${DAY('20')}/111122223333_CloudTrail_us-east-1_20251120T1005Z_big.json`;
    let release!: () => void;
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    s3 = await startFakeS3Archive(new Map([[key, records('big', 200)]]), {
      bucket: BUCKET,
      chunkSize: 4096,
      stall: { key, until },
    });
    const inputs = s3Inputs(`s3://${BUCKET}/AWSLogs/`, {
      region: 'us-east-1',
      endpoint: s3.url,
      credentials: CREDENTIALS,
      notice: () => {},
    });
    const input = (await inputs.next()).value as Input;
    expect(input.name).toBe(`s3://${BUCKET}/${key}`);

    const batches = decodeStream(input.open());
    let before = 0;
    while (before === 0) {
      const next = await batches.next();
      expect(next.done).toBe(false);
      before += (next.value as unknown[]).length;
    }
    expect(s3.chunksSent.get(key)).toBe(1);
    release();
    let total = before;
    for await (const batch of batches) total += batch.length;
    expect(total).toBe(200);
    await inputs.return(undefined);
  });

  it('narrows by --since using the day in the key path, and says what it left out', async () => {
    const objects = new Map([
      [`${DAY('19')}/111122223333_CloudTrail_us-east-1_20251119T2355Z_a.json.gz`, gzipSync(records('a', 1))],
      [`${DAY('20')}/111122223333_CloudTrail_us-east-1_20251120T0005Z_b.json.gz`, gzipSync(records('b', 1))],
      [`${DAY('21')}/111122223333_CloudTrail_us-east-1_20251121T0005Z_c.json.gz`, gzipSync(records('c', 1))],
    ]);
    s3 = await startFakeS3Archive(objects, { bucket: BUCKET });
    const notices: string[] = [];

    const listed = await names(
      s3Inputs(`s3://${BUCKET}/AWSLogs/111122223333/`, {
        region: 'us-east-1',
        endpoint: s3.url,
        credentials: CREDENTIALS,
        since: '2025-11-20T08:00:00.000000Z',
        notice: (message) => notices.push(message),
      }),
    );

    expect(listed).toEqual([...objects.keys()].slice(1).map((key) => `s3://${BUCKET}/${key}`));
    expect(notices).toEqual([expect.stringContaining('left out 1 object under')]);
    expect(notices[0]).toContain('dated before 2025-11-20');
  });
});
