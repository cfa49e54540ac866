import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchEventPattern } from '../doctor/event-pattern.js';
import type { JsonObject } from '../json-access.js';
import { awsS3DataEvent } from '../normalize/aws-s3-data-event.js';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  EVENT_BRIDGE_NORMALIZERS,
  EVENT_BRIDGE_PATTERN,
  eventBridgePattern,
} from './event-bridge-pattern.js';

const FIXTURES = join(__dirname, '..', 'normalize', 'fixtures');

/** Every CloudTrail record among the normalizer fixtures. */
function cloudTrailRecords(): { name: string; record: JsonObject }[] {
  return readdirSync(FIXTURES).flatMap((folder) =>
    readdirSync(join(FIXTURES, folder))
      .map((file) => ({
        name: `${folder}/${file}`,
        fixture: JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8')),
      }))
      .filter(({ fixture }) => fixture.format === 'cloudtrail')
      .map(({ name, fixture }) => ({ name, record: fixture.record as JsonObject })),
  );
}

/** The record as CloudTrail hands it to EventBridge: its service as `source`, the record as `detail`. */
function onEventBridge(record: JsonObject): JsonObject {
  const service = String(record.eventSource).replace(/\.amazonaws\.com$/, '');
  return { source: `aws.${service}`, 'detail-type': CLOUDTRAIL_DETAIL_TYPE, detail: record };
}

describe('EVENT_BRIDGE_PATTERN', () => {
  // Records without an eventSource or eventName never come through EventBridge.
  const records = cloudTrailRecords().filter(
    ({ record }) => typeof record.eventSource === 'string' && typeof record.eventName === 'string',
  );

  it('is judged on fixtures of both answers', () => {
    const taken = records.filter(({ record }) => EVENT_BRIDGE_NORMALIZERS.some((n) => n.matches(record)));
    expect(taken.length).toBeGreaterThan(0);
    expect(records.length).toBeGreaterThan(taken.length);
  });

  it('matches a fixture record exactly when a normalizer delivered through EventBridge takes it', () => {
    for (const { name, record } of records) {
      const taken = EVENT_BRIDGE_NORMALIZERS.some((normalizer) => normalizer.matches(record));
      const { verdict } = matchEventPattern(EVENT_BRIDGE_PATTERN, onEventBridge(record));
      expect({ name, verdict }).toEqual({ name, verdict: taken ? 'match' : 'no' });
    }
  });

  it('names sources and detail types EventBridge gives CloudTrail events', () => {
    expect(EVENT_BRIDGE_PATTERN.source).toEqual(['aws.sts']);
    expect(EVENT_BRIDGE_PATTERN['detail-type']).toEqual(['AWS API Call via CloudTrail']);
  });
});

describe('eventBridgePattern', () => {
  it('joins several clauses with $or on detail, each source once', () => {
    const pattern = eventBridgePattern([
      ...EVENT_BRIDGE_NORMALIZERS.map((n) => n.relevance),
      awsS3DataEvent.relevance,
    ]);
    expect(pattern.source).toEqual(['aws.sts', 'aws.s3']);
    expect(pattern.detail.$or).toHaveLength(3);
    const getObject = {
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      eventCategory: 'Data',
    };
    expect(matchEventPattern(pattern, onEventBridge(getObject)).verdict).toBe('match');
  });

  it('refuses what it cannot say as a pattern rather than guess', () => {
    expect(() => eventBridgePattern([])).toThrow('at least one');
    expect(() => eventBridgePattern([{ anyOf: [[{ field: 'eventName', oneOf: ['GetObject'] }]] }])).toThrow(
      'eventSource',
    );
    expect(() =>
      eventBridgePattern([{ anyOf: [[{ field: 'eventSource', oneOf: ['kms.amazonaws.com'] }]] }]),
    ).toThrow('kms.amazonaws.com');
  });
});
