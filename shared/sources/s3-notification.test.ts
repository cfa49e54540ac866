import fc from 'fast-check';
import { decodeNotificationKey, parseQueueMessage, s3Input } from './s3-notification.js';

const BUCKET = 'acme-org-trail';
const record = (key: string, eventName = 'ObjectCreated:Put') => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  eventName,
  s3: { bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` }, object: { key, size: 10 } },
});
const body = (...records: unknown[]) => JSON.stringify({ Records: records });

describe('parseQueueMessage', () => {
  it('keeps the object version a versioned bucket notifies, and none where it says null', () => {
    const versioned = record('AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/f.json.gz');
    const parsed = parseQueueMessage(
      body(
        {
          ...versioned,
          s3: {
            ...versioned.s3,
            object: { ...versioned.s3.object, versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' },
          },
        },
        {
          ...versioned,
          s3: { ...versioned.s3, object: { ...versioned.s3.object, key: 'b.json.gz', versionId: null } },
        },
      ),
    );
    expect(parsed).toEqual({
      kind: 'objects',
      objects: [
        {
          bucket: BUCKET,
          key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/f.json.gz',
          versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
        },
        { bucket: BUCKET, key: 'b.json.gz' },
      ],
      skipped: [],
    });
  });

  it('reads the objects of an S3 event notification, decoding their keys', () => {
    expect(parseQueueMessage(body(record('audit+logs/AWSLogs/a%2Bb+c%3D.json.gz')))).toEqual({
      kind: 'objects',
      objects: [{ bucket: BUCKET, key: 'audit logs/AWSLogs/a+b c=.json.gz' }],
      skipped: [],
    });
  });

  it('skips digests, Insights files and events other than ObjectCreated', () => {
    const parsed = parseQueueMessage(
      body(
        record('AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/11/20/d.json.gz'),
        record('AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2025/11/20/i.json.gz'),
        record('AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/f.json.gz', 'ObjectRemoved:Delete'),
        record('AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/f.json.gz'),
      ),
    );
    expect(parsed).toEqual({
      kind: 'objects',
      objects: [{ bucket: BUCKET, key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/f.json.gz' }],
      skipped: [
        expect.objectContaining({ reason: 'digest' }),
        expect.objectContaining({ reason: 'insight' }),
        expect.objectContaining({ reason: 'not_object_created' }),
      ],
    });
  });

  it('recognises the s3:TestEvent sent when the notification is configured', () => {
    const test = {
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2025-11-20T09:00:02.000Z',
      Bucket: BUCKET,
    };
    expect(parseQueueMessage(JSON.stringify(test))).toEqual({ kind: 'test_event' });
  });

  it('unwraps SNS (S3 or CloudTrail notifications without raw delivery), once', () => {
    const sns = (message: string) => JSON.stringify({ Type: 'Notification', Message: message });
    expect(parseQueueMessage(sns(body(record('AWSLogs/x/CloudTrail/f.json.gz'))))).toMatchObject({
      kind: 'objects',
      objects: [{ bucket: BUCKET, key: 'AWSLogs/x/CloudTrail/f.json.gz' }],
    });
    // CloudTrail's own notification lists keys as they are: a + stays a +.
    expect(
      parseQueueMessage(
        sns(JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: ['AWSLogs/x/CloudTrail/a+b.json.gz'] })),
      ),
    ).toMatchObject({ objects: [{ key: 'AWSLogs/x/CloudTrail/a+b.json.gz' }] });
    expect(parseQueueMessage(sns(sns(body(record('k')))))).toMatchObject({ kind: 'invalid' });
  });

  it('calls anything else invalid, with a reason', () => {
    expect(parseQueueMessage('{not json')).toEqual({
      kind: 'invalid',
      code: 'invalid_json',
      message: 'the message body is not JSON',
    });
    for (const text of [
      '[]',
      '{"Records":[]}',
      body({ eventSource: 'aws:sqs' }),
      body(record('%E0%A4%A')),
      JSON.stringify({ s3Bucket: BUCKET, s3ObjectKey: [1] }),
      JSON.stringify({ hello: 'world' }),
    ]) {
      expect(parseQueueMessage(text)).toMatchObject({ kind: 'invalid', code: 'invalid_envelope' });
    }
  });

  it('never throws, whatever the body', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseQueueMessage(text).kind === 'string'));
    fc.assert(
      fc.property(
        fc.jsonValue(),
        (value) => typeof parseQueueMessage(JSON.stringify(value)).kind === 'string',
      ),
    );
  });
});

describe('decodeNotificationKey', () => {
  it('turns + into a space and percent escapes into their characters', () => {
    expect(decodeNotificationKey('a+b%2Bc%20d')).toBe('a b+c d');
    expect(decodeNotificationKey('%ZZ')).toBeNull();
  });
});

describe('s3Input', () => {
  it('names an object s3://BUCKET/KEY, with its version when the notification gave one', () => {
    expect(s3Input({ bucket: BUCKET, key: 'AWSLogs/a.json.gz' })).toBe(`s3://${BUCKET}/AWSLogs/a.json.gz`);
    expect(s3Input({ bucket: BUCKET, key: 'AWSLogs/a.json.gz', versionId: 'v+1/=' })).toBe(
      `s3://${BUCKET}/AWSLogs/a.json.gz?versionId=v%2B1%2F%3D`,
    );
  });
});
