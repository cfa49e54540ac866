import { randomBytes } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { handler } from '../../functions/aws/cloudtrail-files.js';
import { type FakeS3, startFakeS3 } from '../helpers/fake-s3.js';
import { storeRows, useHandlerEnvironment } from './aws-handler-harness.js';
import { objectCreated, sqsMessage } from './cloudtrail-records.js';

/**
 * Issue 11 item 5: a record quarantined from a versioned trail bucket names the object version the
 * notification announced, so the bytes it came from can be read again even after the key changes.
 */
const BUCKET = 'acme-org-trail';
const KEY = 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/versioned.json.gz';
const VERSION = '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY';

const SESSION = {
  accessKeyId: 'ASIAFAKEFORTESTS0002',
  secretAccessKey: 'fake-secret-for-the-local-s3-stand-in',
  sessionToken: 'fake-session-token-for-the-local-s3-stand-in',
  arn: 'arn:aws:sts::111122223333:assumed-role/tokentrail-prod-us-east-1-files/tokentrail-prod-cloudtrailFiles',
};

let s3: FakeS3;

beforeAll(async () => {
  s3 = await startFakeS3({ sessions: [SESSION] });
});
afterAll(() => s3.close());

useHandlerEnvironment(() => ({
  TOKENTRAIL_S3_ENDPOINT: s3.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: SESSION.accessKeyId,
  AWS_SECRET_ACCESS_KEY: SESSION.secretAccessKey,
  AWS_SESSION_TOKEN: SESSION.sessionToken,
}));

function versionedNotification(versionId: string | null) {
  const notification = objectCreated(BUCKET, KEY);
  const [record] = notification.Records;
  return {
    Records: [{ ...record!, s3: { ...record!.s3, object: { ...record!.s3.object, versionId } } }],
  };
}

describe('CloudTrail files via SQS from a versioned bucket', () => {
  it('names the quarantined input s3://BUCKET/KEY?versionId=…, and plain s3://BUCKET/KEY without a version', async () => {
    s3.putObject(BUCKET, KEY, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), randomBytes(200)]));
    const event = {
      Records: [
        sqsMessage('msg-versioned', versionedNotification(VERSION)),
        sqsMessage('msg-unversioned', versionedNotification(null)),
      ],
    } as unknown as SQSEvent;

    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await storeRows('SELECT input, code FROM quarantine ORDER BY input')).toEqual([
      { input: `s3://${BUCKET}/${KEY}`, code: 'decompression_failed' },
      {
        input: `s3://${BUCKET}/${KEY}?versionId=${encodeURIComponent(VERSION)}`,
        code: 'decompression_failed',
      },
    ]);
  });
});
