import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The events each handler is started with: one whose record is stored (a successful federation
 * exchange, from the normalizers' fixtures) and one whose record tokentrail skips (it is not
 * federation), so nothing goes out.
 */
export type Json = Record<string, unknown>;

function fixtureRecord(root: string, path: string): Json {
  const file = join(root, 'shared/core/normalize/fixtures', path);
  return (JSON.parse(readFileSync(file, 'utf8')) as { record: Json }).record;
}

/** A successful AssumeRoleWithWebIdentity as CloudTrail records it. */
export const assumeRoleRecord = (root: string) =>
  fixtureRecord(root, 'aws-assume-role-with-web-identity/github-actions-success.json');

/** A successful GCP STS ExchangeToken LogEntry. */
export const exchangeTokenEntry = (root: string) =>
  fixtureRecord(root, 'gcp-sts-exchange-token/github-oidc-success.json');

/** A CloudTrail record tokentrail skips. */
export const skippedRecord: Json = {
  eventVersion: '1.08',
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'GetCallerIdentity',
  awsRegion: 'us-east-1',
  eventID: 'c0ffee00-0000-4000-8000-000000000001',
  eventType: 'AwsApiCall',
  userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/ci/x' },
};

/** A LogEntry tokentrail skips. */
export const skippedEntry: Json = {
  insertId: 'bench',
  logName: 'projects/acme/logs/cloudaudit.googleapis.com%2Factivity',
  timestamp: '2026-11-20T10:00:00Z',
  protoPayload: {
    serviceName: 'pubsub.googleapis.com',
    methodName: 'google.pubsub.v1.Publisher.CreateTopic',
  },
};

export const trailFile = (record: Json): Buffer => gzipSync(JSON.stringify({ Records: [record] }));

export function eventBridgeEvent(record: Json): Json {
  return {
    version: '0',
    id: 'bench',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sts',
    account: '111122223333',
    time: '2026-11-20T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

export function cloudWatchLogsEvent(record: Json): Json {
  const dataMessage = {
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup: 'aws-cloudtrail',
    logStream: '111122223333_CloudTrail_us-east-1',
    subscriptionFilters: ['tokentrail'],
    logEvents: [{ id: '1', timestamp: 1_795_000_000_000, message: JSON.stringify(record) }],
  };
  return { awslogs: { data: gzipSync(JSON.stringify(dataMessage)).toString('base64') } };
}

/** The SQS message the trail bucket's ObjectCreated notification becomes. */
export function sqsObjectCreated(bucket: string, key: string): Json {
  const notification = {
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key, size: 64 } },
      },
    ],
  };
  return {
    Records: [
      {
        messageId: 'bench-1',
        receiptHandle: 'r',
        body: JSON.stringify(notification),
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
        attributes: {},
        messageAttributes: {},
        awsRegion: 'us-east-1',
        md5OfBody: '',
      },
    ],
  };
}

export const scheduledEvent: Json = {
  version: '0',
  id: 'bench',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '111122223333',
  time: '2026-11-20T10:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:111122223333:rule/tokentrail-detect'],
  detail: {},
};

/** A Log Router sink's Pub/Sub push of one LogEntry, as binary-mode CloudEvent headers and body. */
export function pubSubPush(entry: Json): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'bench',
      'ce-source': '//pubsub.googleapis.com/projects/acme/topics/tokentrail-audit-logs',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
    },
    body: JSON.stringify({
      message: { data: Buffer.from(JSON.stringify(entry)).toString('base64'), messageId: 'bench' },
      subscription: 'projects/acme/subscriptions/tokentrail',
    }),
  };
}
