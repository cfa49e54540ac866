import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkTrails,
  type TrailDescription,
  type TrailInputs,
  type TrailState,
  type TrailStatus,
} from './aws-trail.js';
import { type CheckResult, type Fetched, type FetchFailure, fetched, fetchFailed } from './check-result.js';
import type { TrailSelectors } from './trail-selectors.js';

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;
}

const ORG_TRAIL = load<{ trailList: TrailDescription[] }>('describe-trails-org.json').trailList[0]!;

function state(
  status: string | Fetched<TrailStatus>,
  selectors: string | Fetched<TrailSelectors>,
  trail: Partial<TrailDescription> = {},
): TrailState {
  return {
    trail: { ...ORG_TRAIL, ...trail },
    status: typeof status === 'string' ? fetched(load<TrailStatus>(status)) : status,
    selectors: typeof selectors === 'string' ? fetched(load<TrailSelectors>(selectors)) : selectors,
  };
}

function run(trails: Fetched<readonly TrailState[]>, changes: Partial<TrailInputs> = {}): CheckResult[] {
  return checkTrails({ region: 'us-east-1', trails, buckets: ['acme-prod-data'], ...changes });
}

function summary(results: readonly CheckResult[]): string[] {
  return results.map((result) => `${result.check} ${result.target ?? '-'} ${result.status}`);
}

const DENIED: FetchFailure = {
  kind: 'denied',
  httpStatus: 400,
  code: 'AccessDeniedException',
  message: 'User is not authorized to perform: cloudtrail:GetEventSelectors',
};

describe('checkTrails', () => {
  const cases: [
    name: string,
    trails: Fetched<readonly TrailState[]>,
    changes: Partial<TrailInputs>,
    expected: string[],
  ][] = [
    [
      'a logging multi-region trail with the bucket',
      fetched([state('trail-status-logging.json', 'event-selectors-advanced-bucket.json')]),
      {},
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events acme-prod-data ok',
      ],
    ],
    [
      'no data events for the bucket',
      fetched([state('trail-status-logging.json', 'event-selectors-default.json')]),
      { buckets: ['acme-prod-data', 'acme-artifacts'] },
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events acme-prod-data fail',
        'aws.trail.data-events acme-artifacts fail',
      ],
    ],
    [
      'a prefix only, and writes only',
      fetched([state('trail-status-logging.json', 'event-selectors-classic-buckets.json')]),
      { buckets: ['acme-artifacts'] },
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events acme-artifacts warn',
      ],
    ],
    [
      'reads only',
      fetched([state('trail-status-logging.json', 'event-selectors-advanced-reads-only.json')]),
      {},
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events acme-prod-data warn',
      ],
    ],
    [
      'write-only management events miss ARWWI',
      fetched([state('trail-status-logging.json', 'event-selectors-advanced-write-management-only.json')]),
      {},
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail fail',
        'aws.trail.data-events acme-prod-data ok',
      ],
    ],
    [
      'a stopped trail',
      fetched([state('trail-status-stopped.json', 'event-selectors-advanced-bucket.json')]),
      {},
      [
        'aws.trail.logging org-trail fail',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events acme-prod-data ok',
      ],
    ],
    [
      'a delivery error',
      fetched([state('trail-status-delivery-error.json', 'event-selectors-advanced-bucket.json')]),
      {},
      [
        'aws.trail.logging org-trail warn',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events acme-prod-data ok',
      ],
    ],
    [
      'a single-region trail',
      fetched([
        state('trail-status-logging.json', 'event-selectors-advanced-bucket.json', {
          IsMultiRegionTrail: false,
        }),
      ]),
      {},
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail warn',
        'aws.trail.data-events acme-prod-data ok',
      ],
    ],
    [
      'no global service events',
      fetched([
        state('trail-status-logging.json', 'event-selectors-advanced-bucket.json', {
          IncludeGlobalServiceEvents: false,
        }),
      ]),
      {},
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail warn',
        'aws.trail.data-events acme-prod-data ok',
      ],
    ],
    [
      'no trail at all',
      fetched([]),
      {},
      [
        'aws.trail.logging - fail',
        'aws.trail.management-events - skipped',
        'aws.trail.data-events - skipped',
      ],
    ],
    [
      'the named trail does not exist',
      fetched([]),
      { trailName: 'missing' },
      [
        'aws.trail.logging missing fail',
        'aws.trail.management-events - skipped',
        'aws.trail.data-events - skipped',
      ],
    ],
    [
      'DescribeTrails denied',
      fetchFailed(DENIED),
      {},
      [
        'aws.trail.logging - skipped',
        'aws.trail.management-events - skipped',
        'aws.trail.data-events - skipped',
      ],
    ],
    [
      'selectors denied, status readable',
      fetched([state('trail-status-logging.json', fetchFailed(DENIED))]),
      {},
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events - skipped',
        'aws.trail.data-events acme-prod-data skipped',
      ],
    ],
    [
      'two trails: one stopped, the other logs it all',
      fetched([
        state('trail-status-stopped.json', 'event-selectors-default.json', {
          Name: 'old-trail',
          TrailARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/old-trail',
        }),
        state('trail-status-logging.json', 'event-selectors-advanced-bucket.json'),
      ]),
      {},
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events acme-prod-data ok',
      ],
    ],
    [
      'no buckets named, no data events anywhere',
      fetched([state('trail-status-logging.json', 'event-selectors-default.json')]),
      { buckets: [] },
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events org-trail warn',
      ],
    ],
    [
      'no buckets named, every bucket logged',
      fetched([state('trail-status-logging.json', 'event-selectors-classic-all-s3.json')]),
      { buckets: [] },
      [
        'aws.trail.logging org-trail ok',
        'aws.trail.management-events org-trail ok',
        'aws.trail.data-events org-trail ok',
      ],
    ],
  ];

  it.each(cases)('%s', (_name, trails, changes, expected) => {
    expect(summary(run(trails, changes))).toEqual(expected);
  });

  it('fixes a bucket with one command that keeps the existing selectors and adds every missing bucket', () => {
    const results = run(
      fetched([state('trail-status-logging.json', 'event-selectors-advanced-bucket.json')]),
      {
        buckets: ['acme-prod-data', 'acme-artifacts', "we'ird"],
      },
    );
    const failing = results.filter(
      (result) => result.check === 'aws.trail.data-events' && result.status === 'fail',
    );
    expect(failing.map((result) => result.target)).toEqual(['acme-artifacts', "we'ird"]);
    const fix = failing[0]!.fix;
    expect(failing[1]!.fix).toBe(fix);
    expect(fix).toMatch(
      /^aws cloudtrail put-event-selectors --trail-name org-trail --region us-east-1 --advanced-event-selectors '/,
    );
    const json = fix.slice(fix.indexOf("'") + 1, -1).replaceAll(`'\\''`, "'");
    const list = JSON.parse(json) as {
      Name?: string;
      FieldSelectors: { Field: string; StartsWith?: string[] }[];
    }[];
    expect(list.map((selector) => selector.Name)).toEqual([
      'Management events',
      'Prod data objects',
      'tokentrail: S3 object access',
    ]);
    expect(list[2]!.FieldSelectors[2]).toEqual({
      Field: 'resources.ARN',
      StartsWith: ['arn:aws:s3:::acme-artifacts/', "arn:aws:s3:::we'ird/"],
    });
  });

  it('fixes classic selectors with classic selectors', () => {
    const results = run(fetched([state('trail-status-logging.json', 'event-selectors-default.json')]));
    const data = results.find((result) => result.check === 'aws.trail.data-events')!;
    expect(data.message).toBe(
      'no trail logs reads of objects in acme-prod-data (S3 data events): who read it stays unknown',
    );
    expect(data.fix).toBe(
      `aws cloudtrail put-event-selectors --trail-name org-trail --region us-east-1 --event-selectors '${JSON.stringify(
        [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            DataResources: [],
            ExcludeManagementEventSources: [],
          },
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: false,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::acme-prod-data/'] }],
          },
        ],
      )}'`,
    );
  });

  it('says how to start a stopped trail and what a denied read needs', () => {
    const [stopped] = run(fetched([state('trail-status-stopped.json', 'event-selectors-default.json')]));
    expect(stopped!.fix).toBe('aws cloudtrail start-logging --name org-trail --region us-east-1');
    const denied = run(fetched([state('trail-status-logging.json', fetchFailed(DENIED))]));
    expect(denied[1]!.message).toBe(
      'could not read the event selectors of trail org-trail: 400 AccessDeniedException: User is not authorized to perform: cloudtrail:GetEventSelectors; ' +
        'grant cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors (e.g. the AWSCloudTrail_ReadOnlyAccess policy) or run with a principal that can',
    );
  });
});
