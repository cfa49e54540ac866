/**
 * Wraps one audit record into each delivery envelope, the way the producing service does (see
 * ../shared/reference/events.md §1). Built from the documented shapes, not from the decoders,
 * so the tests that use them check the decoders against the spec rather than against themselves.
 */
import { gzipSync } from 'node:zlib';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRecord = { [key: string]: Json };

export const LOG_ENTRY_DATA_TYPE = 'type.googleapis.com/google.events.cloud.audit.v1.LogEntryData';
export const AUDIT_LOG_WRITTEN = 'google.cloud.audit.log.v1.written';
export const MESSAGE_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';

/** How a payload reaches `decode*`: an in-memory JSON value or raw bytes. */
export type Wrapped =
  | { readonly kind: 'value'; readonly value: Json }
  | { readonly kind: 'bytes'; readonly bytes: Buffer };

const value = (json: Json): Wrapped => ({ kind: 'value', value: json });
const bytes = (data: Buffer): Wrapped => ({ kind: 'bytes', bytes: data });

export function ndjson(values: readonly Json[]): Buffer {
  return Buffer.from(values.map((v) => `${JSON.stringify(v)}\n`).join(''));
}

export function base64Json(json: Json, trailingNewline = true): string {
  return Buffer.from(JSON.stringify(json) + (trailingNewline ? '\n' : '')).toString('base64');
}

// ---------------------------------------------------------------- AWS

/** A CloudTrail log file body `{"Records": [...]}` (S3 stores it gzipped). */
export function cloudTrailFile(records: readonly JsonRecord[]): JsonRecord {
  return { Records: [...records] };
}

export function cloudTrailFileBytes(records: readonly JsonRecord[], gzip: boolean): Buffer {
  const text = Buffer.from(JSON.stringify(cloudTrailFile(records)));
  return gzip ? gzipSync(text) : text;
}

/** EventBridge `AWS API Call via CloudTrail`: the record is `detail`, an object. */
export function eventBridgeEvent(record: JsonRecord): JsonRecord {
  return {
    version: '0',
    id: '6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sts',
    account: '210987654321',
    time: typeof record.eventTime === 'string' ? record.eventTime : '2025-01-01T00:00:00Z',
    region: typeof record.awsRegion === 'string' ? record.awsRegion : 'us-east-1',
    resources: [],
    detail: record,
  };
}

/** The decoded CloudWatch Logs DATA_MESSAGE: each record serialized as a JSON string. */
export function cloudWatchLogsMessage(records: readonly JsonRecord[]): JsonRecord {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '210987654321',
    logGroup: 'aws-cloudtrail-logs-210987654321',
    logStream: '210987654321_CloudTrail_us-east-1',
    subscriptionFilters: ['to-tokentrail'],
    logEvents: records.map((record, index) => ({
      id: `3801234567890123456789012345678901234567890123456789${String(1000 + index)}`,
      timestamp: 1735689600000 + index,
      message: JSON.stringify(record),
    })),
  };
}

/** What the subscription's Lambda receives: `{"awslogs":{"data": base64(gzip(JSON))}}`. */
export function cloudWatchLogsEvent(records: readonly JsonRecord[]): JsonRecord {
  const data = gzipSync(Buffer.from(JSON.stringify(cloudWatchLogsMessage(records)))).toString('base64');
  return { awslogs: { data } };
}

// ---------------------------------------------------------------- GCP

/** The Pub/Sub message a Log Router sink publishes: data = base64(LogEntry JSON + "\n"). */
export function pubSubMessage(entry: JsonRecord): JsonRecord {
  const timestamp = typeof entry.timestamp === 'string' ? entry.timestamp : '2025-01-01T00:00:00Z';
  return {
    attributes: { 'logging.googleapis.com/timestamp': timestamp },
    data: base64Json(entry),
    messageId: '5187581549398349',
    message_id: '5187581549398349',
    publishTime: '2025-01-01T00:00:01.56Z',
    publish_time: '2025-01-01T00:00:01.56Z',
  };
}

/** A push subscription's HTTP body. */
export function pubSubPushBody(entry: JsonRecord): JsonRecord {
  return {
    message: pubSubMessage(entry),
    subscription: 'projects/demo-proj-4471/subscriptions/tokentrail-push',
  };
}

/** The structured `messagePublished` CloudEvent (Cloud Functions gen2 / Eventarc Pub/Sub trigger). */
export function messagePublishedEvent(entry: JsonRecord): JsonRecord {
  return {
    specversion: '1.0',
    type: MESSAGE_PUBLISHED,
    source: '//pubsub.googleapis.com/projects/demo-proj-4471/topics/audit-sink',
    id: '5187581549398349',
    time: '2025-01-01T00:00:01.56Z',
    datacontenttype: 'application/json',
    data: {
      subscription: 'projects/demo-proj-4471/subscriptions/eventarc-sink',
      message: pubSubMessage(entry),
    },
  };
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Epoch microseconds of an RFC 3339 UTC timestamp, extra digits truncated (BigInt: exact). */
export function epochMicrosOf(timestamp: string): string {
  const match = TIMESTAMP.exec(timestamp);
  if (!match) throw new Error(`not an RFC 3339 UTC timestamp: ${timestamp}`);
  const [, y, mo, d, h, mi, s, fraction = ''] = match;
  const seconds = BigInt(
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000,
  );
  return String(seconds * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6)));
}

/** The CloudEvent id Eventarc gives an audit log entry: logName + insertId + timestamp in epoch µs. */
export function eventarcId(entry: JsonRecord): string {
  return `${String(entry.logName)}${String(entry.insertId)}${epochMicrosOf(String(entry.timestamp))}`;
}

/** The LogEntryData Eventarc puts in `data` (and sends alone as a binary-mode body): the entry plus @type. */
export function logEntryData(entry: JsonRecord): JsonRecord {
  return { '@type': LOG_ENTRY_DATA_TYPE, ...entry };
}

export type AttributeCase = 'lowercase' | 'camelCase';

/** The structured `google.cloud.audit.log.v1.written` CloudEvent. */
export function eventarcAuditEvent(entry: JsonRecord, attributeCase: AttributeCase): JsonRecord {
  const payload = (entry.protoPayload ?? {}) as JsonRecord;
  const serviceName = String(payload.serviceName ?? '');
  const methodName = String(payload.methodName ?? '');
  const resourceName = String(payload.resourceName ?? '');
  const logName = String(entry.logName ?? '');
  const logId = logName.slice(logName.lastIndexOf('%2F') + 3);
  const project = /^projects\/([^/]+)\//.exec(logName)?.[1] ?? 'demo-proj-4471';
  const lower = attributeCase === 'lowercase';
  return {
    specversion: '1.0',
    type: AUDIT_LOG_WRITTEN,
    source: `//cloudaudit.googleapis.com/projects/${project}/logs/${logId}`,
    id: eventarcId(entry),
    time: (entry.receiveTimestamp ?? entry.timestamp ?? null) as Json,
    [lower ? 'recordedtime' : 'recordedTime']: (entry.timestamp ?? null) as Json,
    subject: `${serviceName}/${resourceName}`,
    [lower ? 'servicename' : 'serviceName']: serviceName,
    [lower ? 'methodname' : 'methodName']: methodName,
    [lower ? 'resourcename' : 'resourceName']: resourceName,
    datacontenttype: 'application/json; charset=utf-8',
    dataschema:
      'https://googleapis.github.io/google-cloudevents/jsonschema/google/events/cloud/audit/v1/LogEntryData.json',
    data: logEntryData(entry),
  };
}

// ---------------------------------------------------------------- every wrapping

export interface Wrapping {
  readonly name: string;
  /** The delivery the decoder must report: the outermost envelope. */
  readonly delivery:
    | 'cloudtrail-file'
    | 'cloudtrail-lookup'
    | 'eventbridge'
    | 'cloudwatch-logs'
    | 'pubsub'
    | 'eventarc'
    | 'plain';
  readonly wrapped: Wrapped;
}

/** A CloudTrail record as it can reach us: bare, in a log file, via EventBridge, CloudWatch Logs, NDJSON. */
export function cloudTrailWrappings(record: JsonRecord): Wrapping[] {
  return [
    { name: 'bare JSON value', delivery: 'plain', wrapped: value(record) },
    {
      name: 'bare JSON bytes',
      delivery: 'plain',
      wrapped: bytes(Buffer.from(JSON.stringify(record, null, 2))),
    },
    {
      name: 'Records file (in memory)',
      delivery: 'cloudtrail-file',
      wrapped: value(cloudTrailFile([record])),
    },
    {
      name: 'Records file (bytes)',
      delivery: 'cloudtrail-file',
      wrapped: bytes(cloudTrailFileBytes([record], false)),
    },
    {
      name: 'Records file (gzip bytes)',
      delivery: 'cloudtrail-file',
      wrapped: bytes(cloudTrailFileBytes([record], true)),
    },
    { name: 'EventBridge event', delivery: 'eventbridge', wrapped: value(eventBridgeEvent(record)) },
    {
      name: 'CloudWatch Logs awslogs payload',
      delivery: 'cloudwatch-logs',
      wrapped: value(cloudWatchLogsEvent([record])),
    },
    { name: 'NDJSON line', delivery: 'plain', wrapped: bytes(ndjson([record])) },
  ];
}

/** A LogEntry as it can reach us: bare, gcloud array, NDJSON, Pub/Sub push, messagePublished, Eventarc. */
export function logEntryWrappings(entry: JsonRecord, attributeCase: AttributeCase): Wrapping[] {
  return [
    { name: 'bare JSON value', delivery: 'plain', wrapped: value(entry) },
    {
      name: 'JSON array (gcloud logging read)',
      delivery: 'plain',
      wrapped: bytes(Buffer.from(JSON.stringify([entry], null, 2))),
    },
    { name: 'NDJSON line', delivery: 'plain', wrapped: bytes(ndjson([entry])) },
    { name: 'Pub/Sub push body', delivery: 'pubsub', wrapped: value(pubSubPushBody(entry)) },
    { name: 'messagePublished CloudEvent', delivery: 'pubsub', wrapped: value(messagePublishedEvent(entry)) },
    {
      name: `Eventarc structured CloudEvent (${attributeCase})`,
      delivery: 'eventarc',
      wrapped: value(eventarcAuditEvent(entry, attributeCase)),
    },
    // A binary-mode body carries no envelope in its content: only the @type says where it came from.
    { name: 'Eventarc binary-mode body', delivery: 'plain', wrapped: value(logEntryData(entry)) },
  ];
}

/** A GitHub Actions job's AssumeRoleWithWebIdentity, as CloudTrail records it. */
export function assumeRoleWithWebIdentityRecord(
  eventID: string,
  subject = 'repo:acme/api:ref:refs/heads/main',
): Record<string, unknown> {
  const provider = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `${provider}:sts.amazonaws.com:${subject}`,
      userName: subject,
      identityProvider: provider,
    },
    eventTime: '2025-11-20T10:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    awsRegion: 'us-east-1',
    requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/deploy', roleSessionName: 'GitHubActions' },
    responseElements: { subjectFromWebIdentityToken: subject, audience: 'sts.amazonaws.com', provider },
    eventID,
    recipientAccountId: '111122223333',
  };
}
