import { asArray, asObject, asText, type JsonObject } from '../core/json-access.js';

/** One S3 object a queue message asks us to read. */
export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  /** s3.object.versionId of an S3 event notification, when the bucket is versioned. */
  readonly versionId?: string;
}

/**
 * How the quarantine and the logs name an object: `s3://BUCKET/KEY`, with `?versionId=ID` when the
 * notification named a version, so a quarantined record can be re-read from the bytes it came from.
 */
export function s3Input(ref: S3ObjectRef): string {
  const base = `s3://${ref.bucket}/${ref.key}`;
  return ref.versionId === undefined ? base : `${base}?versionId=${encodeURIComponent(ref.versionId)}`;
}

/** Why a named object is not read: digests and Insights files are not event files. */
export type SkippedObject = S3ObjectRef & { readonly reason: 'digest' | 'insight' | 'not_object_created' };

/**
 * What one SQS message body holds. `objects` are to be read; `skipped` are named but not ours;
 * `test_event` is the s3:TestEvent S3 sends when a notification is configured; `invalid` is a body
 * that is none of the known notifications (quarantined, never retried: a retry cannot fix it).
 */
export type QueueMessage =
  | {
      readonly kind: 'objects';
      readonly objects: readonly S3ObjectRef[];
      readonly skipped: readonly SkippedObject[];
    }
  | { readonly kind: 'test_event' }
  | {
      readonly kind: 'invalid';
      readonly code: 'invalid_json' | 'invalid_envelope';
      readonly message: string;
    };

const DIGEST_SEGMENT = /(^|\/)CloudTrail-Digest\//;
const INSIGHT_SEGMENT = /(^|\/)CloudTrail-Insight\//;

/** S3 event notifications URL-encode keys, with `+` for a space (a literal `+` arrives as %2B). */
export function decodeNotificationKey(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function invalid(message: string): QueueMessage {
  return { kind: 'invalid', code: 'invalid_envelope', message };
}

function sortObjects(refs: readonly (S3ObjectRef & { created: boolean })[]): QueueMessage {
  const objects: S3ObjectRef[] = [];
  const skipped: SkippedObject[] = [];
  for (const { created, ...ref } of refs) {
    if (!created) skipped.push({ ...ref, reason: 'not_object_created' });
    else if (DIGEST_SEGMENT.test(ref.key)) skipped.push({ ...ref, reason: 'digest' });
    else if (INSIGHT_SEGMENT.test(ref.key)) skipped.push({ ...ref, reason: 'insight' });
    else objects.push(ref);
  }
  return { kind: 'objects', objects, skipped };
}

/** `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{...}}]}` */
function s3EventNotification(records: readonly unknown[]): QueueMessage {
  const refs: (S3ObjectRef & { created: boolean })[] = [];
  for (const [index, element] of records.entries()) {
    const record = asObject(element);
    const s3 = asObject(record?.s3);
    const bucket = asText(asObject(s3?.bucket)?.name);
    const encodedKey = asText(asObject(s3?.object)?.key);
    if (record?.eventSource !== 'aws:s3' || !bucket || !encodedKey) {
      return invalid(`Records/${index} is not an S3 event record with s3.bucket.name and s3.object.key`);
    }
    const key = decodeNotificationKey(encodedKey);
    if (key === null) return invalid(`Records/${index}: s3.object.key is not valid URL encoding`);
    const eventName = asText(record.eventName) ?? '';
    const versionId = asText(asObject(s3?.object)?.versionId);
    refs.push({
      bucket,
      key,
      ...(versionId ? { versionId } : {}),
      created: eventName.startsWith('ObjectCreated:'),
    });
  }
  return sortObjects(refs);
}

/** CloudTrail's own SNS notification: `{"s3Bucket":"...","s3ObjectKey":["..."]}`, keys not encoded. */
function cloudTrailNotification(value: JsonObject): QueueMessage {
  const bucket = asText(value.s3Bucket);
  const keys = asArray(value.s3ObjectKey).map(asText);
  if (!bucket || keys.length === 0 || keys.some((key) => key === null)) {
    return invalid('a CloudTrail notification needs s3Bucket and a list of s3ObjectKey strings');
  }
  return sortObjects(keys.map((key) => ({ bucket, key: key as string, created: true })));
}

function classify(value: JsonObject, viaSns: boolean): QueueMessage {
  if (value.Event === 's3:TestEvent') return { kind: 'test_event' };
  if (Array.isArray(value.Records)) {
    return value.Records.length === 0
      ? invalid('an S3 event notification with no Records')
      : s3EventNotification(value.Records);
  }
  if ('s3Bucket' in value || 's3ObjectKey' in value) return cloudTrailNotification(value);
  if (!viaSns && value.Type === 'Notification' && typeof value.Message === 'string') {
    return parseQueueMessage(value.Message, true);
  }
  return invalid(
    'neither an S3 event notification, an s3:TestEvent, a CloudTrail notification, nor SNS wrapping one',
  );
}

/**
 * Reads an SQS message body: an S3 event notification (the direct S3 → SQS path), the same or
 * CloudTrail's own notification wrapped by SNS (S3 or CloudTrail → SNS → SQS without raw delivery),
 * or an s3:TestEvent. Total: any text yields a result, never an exception.
 */
export function parseQueueMessage(body: string, viaSns = false): QueueMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'invalid', code: 'invalid_json', message: 'the message body is not JSON' };
  }
  const value = asObject(parsed);
  if (!value) return invalid('the message body is not a JSON object');
  return classify(value, viaSns);
}
