import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { handler } from '../../functions/aws/cloudtrail-files.js';
import { type FakeS3, signedRegion, startFakeS3 } from '../helpers/fake-s3.js';
import { fixture, storeRows, useHandlerEnvironment } from './aws-handler-harness.js';
import {
  assumeRoleWithWebIdentity,
  cloudTrailFile,
  getObject,
  objectCreated,
  sqsMessage,
} from './cloudtrail-records.js';

const BUCKET = 'acme-org-trail';
const FILE_KEY =
  'AWSLogs/o-aa111bb222/111122223333/CloudTrail/us-east-1/2025/11/20/111122223333_CloudTrail_us-east-1_20251120T1005Z_Ab3dEf6hIj9kLm2n.json.gz';

/**
 * The multi-megabyte cases take about 2 s alone and several times that on a loaded 2-core machine
 * (generating, gzipping and ingesting 20,000 records).
 */
const STREAMING_TIMEOUT = 90_000;

let s3: FakeS3;

/** The function role's session, as Lambda puts it in the environment (fakes, not keys). */
const SESSION = {
  accessKeyId: 'ASIAFAKEFORTESTS0001',
  secretAccessKey: 'fake-secret-for-the-local-s3-stand-in',
  sessionToken: 'fake-session-token-for-the-local-s3-stand-in',
  arn: 'arn:aws:sts::111122223333:assumed-role/tokentrail-prod-us-east-1-files/tokentrail-prod-cloudtrailFiles',
};

beforeAll(async () => {
  s3 = await startFakeS3({ sessions: [SESSION] });
});
afterAll(() => s3.close());

const env = useHandlerEnvironment(() => ({
  TOKENTRAIL_S3_ENDPOINT: s3.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: SESSION.accessKeyId,
  AWS_SECRET_ACCESS_KEY: SESSION.secretAccessKey,
  AWS_SESSION_TOKEN: SESSION.sessionToken,
}));

const event = (...records: ReturnType<typeof sqsMessage>[]) => ({ Records: records }) as unknown as SQSEvent;

function mintAndRead(suffix: string, time = '2025-11-20T10:05:00Z') {
  const accessKeyId = `ASIAEXAMPLEFILE${suffix.padStart(5, '0')}`;
  return [
    assumeRoleWithWebIdentity({
      eventId: `mint-${suffix}`,
      subject: `repo:acme/payments-api:ref:refs/heads/main`,
      role: 'github-deploy',
      accessKeyId,
      time,
    }),
    getObject({
      eventId: `read-${suffix}`,
      role: 'github-deploy',
      accessKeyId,
      bucket: 'acme-prod-data',
      key: `exports/${suffix}.csv`,
      time,
    }),
  ];
}

/** Data events with the random ids real ones carry, so their file compresses as little as a real one. */
function manyReads(count: number, accessKeyId: string) {
  return Array.from({ length: count }, (_, index) =>
    getObject({
      eventId: randomUUID(),
      role: 'github-deploy',
      accessKeyId,
      bucket: 'acme-prod-data',
      key: `exports/${randomBytes(12).toString('hex')}/${index}.csv`,
      time: '2025-11-20T10:05:00Z',
      amzId2: randomBytes(57).toString('base64'),
    }),
  );
}

interface MessageLine {
  readonly level: string;
  readonly correlation_id: string;
  readonly message_id: string;
  readonly outcome: string;
  readonly error?: string;
  readonly objects?: { bucket: string; key: string }[];
}

/** The invocation's summary line, with the lines its messages logged as `messages`. */
function messageLog() {
  const summary = env.logs.find((entry) => entry.message === 'invocation' && entry.trigger === 'sqs');
  const messages = env.logs.filter((entry) => entry.message === 'sqs message');
  return { ...summary, messages } as unknown as { outcome: string; messages: MessageLine[] };
}

describe('CloudTrail files via SQS', () => {
  it('reads the notified file from S3, skips the digest and the s3:TestEvent, and fails nothing', async () => {
    s3.putObject(BUCKET, FILE_KEY, cloudTrailFile(mintAndRead('1')));
    const requestsBefore = s3.requests.length;

    const result = await handler(fixture('sqs-s3-object-created.json'));

    expect(result).toEqual({ batchItemFailures: [] });
    const requests = s3.requests.slice(requestsBefore);
    expect(requests.map(({ method, bucket, key }) => ({ method, bucket, key }))).toEqual([
      { method: 'GET', bucket: BUCKET, key: FILE_KEY },
    ]);
    expect(requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAFAKEFORTESTS0001\//);
    expect(
      await storeRows("SELECT bucket, object, subject FROM events_attributed WHERE action = 'GetObject'"),
    ).toEqual([
      {
        bucket: 'acme-prod-data',
        object: 'exports/1.csv',
        subject: 'repo:acme/payments-api:ref:refs/heads/main',
      },
    ]);
    expect(messageLog().messages.map(({ outcome }) => outcome)).toEqual(['ok', 'skipped', 'skipped']);
    const event = fixture('sqs-s3-object-created.json');
    // Each message's line names it (correlation_id) and the objects it read.
    expect(messageLog().messages[0]).toMatchObject({
      level: 'INFO',
      correlation_id: event.Records[0].messageId,
      message_id: event.Records[0].messageId,
      objects: [{ bucket: BUCKET, key: FILE_KEY, rows: 2 }],
    });
    expect(messageLog().messages[1]).toMatchObject({ skipped: [{ reason: 'digest' }] });
    expect(messageLog().messages[2]).toMatchObject({ reason: 's3:TestEvent' });
  });

  it('reports only the message whose object is missing; the others are stored', async () => {
    const presentKey = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/present.json.gz';
    s3.putObject(BUCKET, presentKey, cloudTrailFile(mintAndRead('2')));

    const result = await handler(
      event(
        sqsMessage(
          'msg-missing',
          objectCreated(BUCKET, 'AWSLogs/111122223333/CloudTrail/us-east-1/gone.json.gz'),
        ),
        sqsMessage('msg-present', objectCreated(BUCKET, presentKey)),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-missing' }] });
    expect(await storeRows('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 2 }]);
    expect(messageLog()).toMatchObject({
      outcome: 'partial',
      messages: [
        {
          level: 'ERROR',
          message_id: 'msg-missing',
          outcome: 'failed',
          error: expect.stringContaining('NoSuchKey'),
        },
        { level: 'INFO', message_id: 'msg-present', outcome: 'ok' },
      ],
    });
  });

  it('follows S3 to the bucket region and remembers it for the next object', async () => {
    const bucket = 'acme-org-trail-eu';
    const keys = ['first', 'second'].map(
      (name) => `AWSLogs/111122223333/CloudTrail/eu-west-1/2025/11/20/${name}.json.gz`,
    );
    for (const [index, key] of keys.entries()) {
      s3.putObject(bucket, key, cloudTrailFile(mintAndRead(`eu${index}`)), { region: 'eu-west-1' });
    }
    const requestsBefore = s3.requests.length;

    const result = await handler(
      event(...keys.map((key, index) => sqsMessage(`msg-eu-${index}`, objectCreated(bucket, key)))),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    const scopes = s3.requests
      .slice(requestsBefore)
      .map(({ headers }) => signedRegion(headers.authorization));
    expect(scopes).toEqual(['us-east-1', 'eu-west-1', 'eu-west-1']);
    expect(await storeRows('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 4 }]);
  });

  it('follows the region an AuthorizationHeaderMalformed error names', async () => {
    const bucket = 'acme-org-trail-ap';
    const key = 'AWSLogs/111122223333/CloudTrail/ap-southeast-2/2025/11/20/only.json.gz';
    s3.putObject(bucket, key, cloudTrailFile(mintAndRead('ap')), {
      region: 'ap-southeast-2',
      regionIn: 'error-body',
    });

    const result = await handler(event(sqsMessage('msg-ap', objectCreated(bucket, key))));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await storeRows('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 2 }]);
  });

  it('tries again when S3 answers SlowDown, and fails the message when it keeps on', async () => {
    const patient = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/slow.json.gz';
    const stubborn = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/slower.json.gz';
    s3.putObject(BUCKET, patient, cloudTrailFile(mintAndRead('6')), { slowDowns: 2 });
    s3.putObject(BUCKET, stubborn, cloudTrailFile(mintAndRead('7')), { slowDowns: 3 });

    const result = await handler(
      event(
        sqsMessage('msg-patient', objectCreated(BUCKET, patient)),
        sqsMessage('msg-stubborn', objectCreated(BUCKET, stubborn)),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-stubborn' }] });
    expect(messageLog().messages[1]).toMatchObject({
      outcome: 'failed',
      error: expect.stringMatching(/GetObject answered 503 SlowDown: .* \(after 3 tries\)/),
    });
    expect(await storeRows('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 2 }]);
  });

  it('fails the message, without retrying, when S3 refuses the signature', async () => {
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/refused.json.gz';
    s3.putObject(BUCKET, key, cloudTrailFile(mintAndRead('8')));
    s3.trustSessions([{ ...SESSION, secretAccessKey: 'another-secret-for-this-key' }]);
    const requestsBefore = s3.requests.length;

    const result = await handler(event(sqsMessage('msg-refused', objectCreated(BUCKET, key)))).finally(() =>
      s3.trustSessions([SESSION]),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-refused' }] });
    expect(s3.requests.length - requestsBefore).toBe(1);
    expect(messageLog().messages[0]?.error).toMatch(/GetObject answered 403 SignatureDoesNotMatch/);
  });

  it('quarantines a corrupt gzip file and acknowledges its message', async () => {
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/corrupt.json.gz';
    const good = cloudTrailFile(mintAndRead('3'));
    const corrupt = Buffer.concat([good.subarray(0, 40), randomBytes(200)]);
    s3.putObject(BUCKET, key, corrupt);

    const result = await handler(event(sqsMessage('msg-corrupt', objectCreated(BUCKET, key))));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await storeRows('SELECT input, code FROM quarantine')).toEqual([
      { input: `s3://${BUCKET}/${key}`, code: 'decompression_failed' },
    ]);
    expect(messageLog().messages).toEqual([
      expect.objectContaining({ outcome: 'ok', objects: [expect.objectContaining({ quarantined: 1 })] }),
    ]);
  });

  it('decodes notification keys: + is a space, %2B a plus', async () => {
    const key = 'audit logs/AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/a+b file.json.gz';
    const encoded = 'audit+logs/AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/a%2Bb+file.json.gz';
    s3.putObject(BUCKET, key, cloudTrailFile(mintAndRead('4')));

    const result = await handler(event(sqsMessage('msg-spaces', objectCreated(BUCKET, encoded))));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(s3.requests.at(-1)?.key).toBe(key);
    expect(await storeRows('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 2 }]);
  });

  it('quarantines a message body that is no notification, and acknowledges it', async () => {
    const result = await handler(
      event(sqsMessage('msg-junk', 'not json at all'), sqsMessage('msg-other', { hello: 'world' })),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await storeRows('SELECT input, code, raw FROM quarantine ORDER BY input')).toEqual([
      { input: 'sqs:msg-junk', code: 'invalid_json', raw: 'not json at all' },
      { input: 'sqs:msg-other', code: 'invalid_envelope', raw: '{"hello":"world"}' },
    ]);
    expect(messageLog().messages.map(({ outcome, level }) => [outcome, level])).toEqual([
      ['quarantined', 'WARN'],
      ['quarantined', 'WARN'],
    ]);
  });

  it('fails the whole batch when the store cannot be opened', async () => {
    writeFileSync(env.store, 'not a database');
    await expect(handler(fixture('sqs-s3-object-created.json'))).rejects.toThrow(/DuckDB/);
    expect(env.logs).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'invocation', trigger: 'sqs', outcome: 'failed' }),
    ]);
  });

  it('reads a CloudTrail notification delivered through SNS', async () => {
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/via-sns.json.gz';
    s3.putObject(BUCKET, key, cloudTrailFile(mintAndRead('5')));
    const sns = {
      Type: 'Notification',
      MessageId: '0f7a1c2e-9b3d-5e4f-8a6b-7c8d9e0f1a2b',
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:org-trail-deliveries',
      Message: JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [key] }),
      Timestamp: '2025-11-20T10:10:42.001Z',
    };
    const result = await handler(event(sqsMessage('msg-sns', sns)));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await storeRows('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 2 }]);
  });

  it(
    'streams a multi-megabyte file in chunks into the store',
    async () => {
      const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/large.json.gz';
      const records = manyReads(20_000, 'ASIAEXAMPLELARGE0001');
      const body = cloudTrailFile(records);
      expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
      s3.putObject(BUCKET, key, body, { chunkBytes: 32 * 1024 });

      const result = await handler(event(sqsMessage('msg-large', objectCreated(BUCKET, key, body.length))));

      expect(result).toEqual({ batchItemFailures: [] });
      expect(s3.sentBytes(BUCKET, key)).toBe(body.length);
      expect(await storeRows('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 20_000 }]);
    },
    STREAMING_TIMEOUT,
  );

  it(
    'decodes while the body is still arriving: it stops at the size cap before S3 has sent the rest',
    async () => {
      process.env.TOKENTRAIL_MAX_DECOMPRESSED_BYTES = String(1024 * 1024);
      const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/too-large.json.gz';
      const records = manyReads(16_000, 'ASIAEXAMPLELARGE0002');
      const body = cloudTrailFile(records);
      const holdAfterBytes = 1024 * 1024;
      expect(body.length).toBeGreaterThan(holdAfterBytes * 1.5);
      // The server sends the first MiB and then waits: a reader that buffered the whole object first
      // would wait with it.
      s3.putObject(BUCKET, key, body, { chunkBytes: 16 * 1024, holdAfterBytes });

      const pending = handler(event(sqsMessage('msg-cap', objectCreated(BUCKET, key, body.length))));
      await s3.held(BUCKET, key);
      // No clock: the rest of the body is released only after the handler has answered, so a reader
      // that waited for the whole object never answers and the case fails on its timeout.
      const result = await pending.finally(() => s3.release());

      expect(s3.sentBytes(BUCKET, key)).toBeLessThanOrEqual(holdAfterBytes);
      expect(result).toEqual({ batchItemFailures: [] });
      const [report] = messageLog().messages as unknown as {
        objects: { rows: number; quarantined: number; rejected_by: Record<string, number> }[];
      }[];
      // The cap cuts the file inside a record: one verdict for the cut, too_large, and no second one
      // for the record it cut (issue 11: one reject per cause).
      expect(report?.objects[0]).toMatchObject({ quarantined: 1 });
      expect(report?.objects[0]?.rejected_by).toEqual({ too_large: 1 });
      expect(report?.objects[0]?.rows).toBeGreaterThan(0);
      expect(report?.objects[0]?.rows).toBeLessThan(records.length);
    },
    STREAMING_TIMEOUT,
  );
});
