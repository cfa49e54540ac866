/**
 * How the week's records reach a reader, as real deployments receive them (events.md §1):
 *
 * - every CloudTrail record in gzip log files under `AWSLogs/`, one file per account, region and
 *   15-minute delivery window. Management events arrive 4–16 minutes after the call, data events
 *   1–5, so the S3 calls of a session often sit in an earlier file than the exchange that minted
 *   their key;
 * - the prod account's AssumeRoleWithWebIdentity also through an EventBridge rule into Firehose
 *   (concatenated JSON, no delimiter) since three days before the end: the same eventIDs again;
 * - every Cloud Audit Logs entry in a Log Router sink's hourly NDJSON files in Cloud Storage;
 * - entries of severity ERROR also through a second sink to Pub/Sub, as push request bodies.
 */
import { gzipSync } from 'node:zlib';
import type { JsonObject } from '../../shared/core/json-access.js';
import { dateFolders } from './log-time.js';
import { GCP_PROJECT, PROD_ACCOUNT } from './organisation.js';
import { between, decimalId, mixedAlnum, type Random, uuid } from './random.js';
import { DAY, HOUR, MINUTE, SECOND } from './schedule.js';
import type { CloudTrailEvent, LogEntryEvent, LoggedEvent } from './traffic-log.js';

export interface DemoFile {
  /** Relative, `/`-separated, in the layout the delivering service writes. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

const CLOUDTRAIL_WINDOW = 15 * MINUTE;
const FIREHOSE_BUFFER = 15 * MINUTE;
const EVENTBRIDGE_RULE_AGE = 3 * DAY;

const compactTime = (time: number) => new Date(time).toISOString().slice(0, 16).replace(/[-:]/g, '');

/** Groups in first-seen order; `events` come sorted by time, so each group is too. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

function cloudTrailLogFiles(random: Random, events: readonly CloudTrailEvent[]): DemoFile[] {
  const delivered = events.map((event) => {
    const [min, max] = event.category === 'Management' ? [4, 16] : [1, 5];
    const at = event.time + between(random, min * MINUTE, max * MINUTE);
    return { event, window: Math.ceil(at / CLOUDTRAIL_WINDOW) * CLOUDTRAIL_WINDOW };
  });
  const files = groupBy(delivered, ({ event, window }) => `${event.account} ${event.region} ${window}`);
  return [...files.values()].map((group) => {
    const { account, region } = group[0]!.event;
    const window = group[0]!.window;
    const name = `${account}_CloudTrail_${region}_${compactTime(window)}Z_${mixedAlnum(random, 16)}.json.gz`;
    return {
      path: `aws/AWSLogs/${account}/CloudTrail/${region}/${dateFolders(window)}/${name}`,
      bytes: gzipSync(JSON.stringify({ Records: group.map(({ event }) => event.record) })),
    };
  });
}

function eventBridgeEvent(random: Random, event: CloudTrailEvent): JsonObject {
  return {
    version: '0',
    id: uuid(random),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sts',
    account: event.account,
    time: event.record.eventTime,
    region: event.region,
    resources: [],
    detail: event.record,
  };
}

function firehoseFiles(random: Random, events: readonly CloudTrailEvent[], end: number): DemoFile[] {
  const matched = events.filter(
    (event) =>
      event.account === PROD_ACCOUNT &&
      event.record.eventName === 'AssumeRoleWithWebIdentity' &&
      event.time >= end - EVENTBRIDGE_RULE_AGE,
  );
  const buffers = groupBy(matched, (event) =>
    String(Math.floor(event.time / FIREHOSE_BUFFER) * FIREHOSE_BUFFER),
  );
  return [...buffers].map(([bufferStart, group]) => {
    const flushed = Number(bufferStart) + FIREHOSE_BUFFER + between(random, 0, 30 * SECOND);
    const stamp = new Date(flushed).toISOString().slice(0, 19).replace(/[T:]/g, '-');
    const hour = new Date(flushed).toISOString().slice(11, 13);
    return {
      path: `aws/firehose/acme-sts-events/${dateFolders(flushed)}/${hour}/acme-sts-events-1-${stamp}-${uuid(random)}`,
      bytes: Buffer.from(group.map((event) => JSON.stringify(eventBridgeEvent(random, event))).join('')),
    };
  });
}

function logSinkFiles(events: readonly LogEntryEvent[]): DemoFile[] {
  const hours = groupBy(events, (event) => String(Math.floor(event.time / HOUR) * HOUR));
  return [...hours].map(([hourStart, group]) => {
    const hour = new Date(Number(hourStart)).toISOString().slice(11, 13);
    return {
      path: `gcp/acme-audit-archive/cloudaudit.googleapis.com/data_access/${dateFolders(Number(hourStart))}/${hour}:00:00_${hour}:59:59_S0.json`,
      bytes: Buffer.from(group.map((event) => `${JSON.stringify(event.entry)}\n`).join('')),
    };
  });
}

function pubSubPushFiles(random: Random, events: readonly LogEntryEvent[]): DemoFile[] {
  return events
    .filter((event) => event.entry.severity === 'ERROR')
    .map((event) => {
      const messageId = decimalId(random, 16);
      const publishTime = new Date(event.time + between(random, 200, 2500)).toISOString();
      const body = {
        message: {
          attributes: { 'logging.googleapis.com/timestamp': event.entry.timestamp },
          data: Buffer.from(`${JSON.stringify(event.entry)}\n`).toString('base64'),
          messageId,
          message_id: messageId,
          publishTime,
          publish_time: publishTime,
        },
        subscription: `projects/${GCP_PROJECT}/subscriptions/tokentrail-alerts-push`,
      };
      return {
        path: `gcp/pubsub-push/tokentrail-alerts/${messageId}.json`,
        bytes: Buffer.from(JSON.stringify(body)),
      };
    });
}

/** Every logged event, in every file it would be delivered in, sorted by path. */
export function deliver(random: Random, events: readonly LoggedEvent[], end: number): DemoFile[] {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const aws = sorted.filter((event): event is CloudTrailEvent => event.cloud === 'aws');
  const gcp = sorted.filter((event): event is LogEntryEvent => event.cloud === 'gcp');
  const files = [
    ...cloudTrailLogFiles(random, aws),
    ...firehoseFiles(random, aws, end),
    ...logSinkFiles(gcp),
    ...pubSubPushFiles(random, gcp),
  ];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
