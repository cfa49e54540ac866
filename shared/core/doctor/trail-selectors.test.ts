import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ASSUME_ROLE_WITH_WEB_IDENTITY,
  type Coverage,
  type EventKind,
  s3ObjectEvents,
  selectorCoverage,
  type TrailSelectors,
} from './trail-selectors.js';

function selectors(name: string): TrailSelectors {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as TrailSelectors;
}

const ARWWI = ASSUME_ROLE_WITH_WEB_IDENTITY;
const prodReads = s3ObjectEvents('acme-prod-data', true);
const prodWrites = s3ObjectEvents('acme-prod-data', false);
const artifactReads = s3ObjectEvents('acme-artifacts', true);
const logReads = s3ObjectEvents('acme-cloudtrail-logs', true);
const otherReads = s3ObjectEvents('someone-else', true);

describe('selectorCoverage', () => {
  const cases: [fixture: string, kind: EventKind, label: string, expected: Coverage][] = [
    ['event-selectors-default.json', ARWWI, 'ARWWI', 'all'],
    ['event-selectors-default.json', prodReads, 'prod reads', 'none'],
    ['event-selectors-classic-buckets.json', prodReads, 'prod reads', 'all'],
    ['event-selectors-classic-buckets.json', prodWrites, 'prod writes', 'all'],
    ['event-selectors-classic-buckets.json', artifactReads, 'artifact reads (a prefix inside)', 'some'],
    ['event-selectors-classic-buckets.json', otherReads, 'another bucket', 'none'],
    ['event-selectors-classic-all-s3.json', otherReads, 'any bucket under arn:aws:s3', 'all'],
    ['event-selectors-classic-write-only.json', prodReads, 'reads of a WriteOnly selector', 'none'],
    ['event-selectors-classic-write-only.json', prodWrites, 'writes of a WriteOnly selector', 'all'],
    ['event-selectors-classic-write-only.json', ARWWI, 'ARWWI (read-only) on WriteOnly', 'none'],
    ['event-selectors-advanced-bucket.json', ARWWI, 'ARWWI', 'all'],
    ['event-selectors-advanced-bucket.json', prodReads, 'prod reads', 'all'],
    ['event-selectors-advanced-bucket.json', artifactReads, 'another bucket', 'none'],
    ['event-selectors-advanced-reads-only.json', otherReads, 'reads anywhere', 'all'],
    ['event-selectors-advanced-reads-only.json', prodWrites, 'writes', 'none'],
    ['event-selectors-advanced-write-management-only.json', ARWWI, 'ARWWI on readOnly=false', 'none'],
    ['event-selectors-advanced-write-management-only.json', prodReads, 'all S3 but the log bucket', 'all'],
    ['event-selectors-advanced-write-management-only.json', logReads, 'the excluded log bucket', 'none'],
    ['event-selectors-advanced-get-object-only.json', prodReads, 'GetObject only, not HeadObject', 'some'],
    ['event-selectors-advanced-get-object-only.json', prodWrites, 'no writes', 'none'],
  ];

  it.each(cases)('%s, %s: %s -> %s', (fixture, kind, _label, expected) => {
    expect(selectorCoverage(selectors(fixture), kind).coverage).toBe(expected);
  });

  it('names the selector that logs the most', () => {
    expect(selectorCoverage(selectors('event-selectors-advanced-bucket.json'), prodReads).via).toBe(
      'advanced selector "Prod data objects"',
    );
    expect(selectorCoverage(selectors('event-selectors-classic-buckets.json'), prodReads).via).toBe(
      'event selector 1',
    );
    expect(selectorCoverage({}, prodReads)).toEqual({ coverage: 'none', via: null });
  });

  it.each<[string, TrailSelectors, Coverage]>([
    [
      'a filter on userIdentity.arn only narrows',
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'userIdentity.arn', NotStartsWith: ['arn:aws:sts::111122223333:assumed-role/noisy'] },
            ],
          },
        ],
      },
      'some',
    ],
    [
      'eventSource NotEquals kms keeps STS',
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
            ],
          },
        ],
      },
      'all',
    ],
    [
      'a data selector does not log management events',
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            ],
          },
        ],
      },
      'none',
    ],
    [
      'classic IncludeManagementEvents false',
      { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }] },
      'none',
    ],
  ])('ARWWI: %s', (_label, given, expected) => {
    expect(selectorCoverage(given, ARWWI).coverage).toBe(expected);
  });
});
