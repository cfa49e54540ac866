import { shellQuote } from '../render/shell-quote.js';
import { type CheckResult, type Fetched, type FetchFailure, unreadable } from './check-result.js';
import {
  ASSUME_ROLE_WITH_WEB_IDENTITY,
  type Coverage,
  type EventKind,
  s3ObjectArnPrefix,
  s3ObjectEvents,
  selectorCoverage,
  type TrailSelectors,
} from './trail-selectors.js';

export const TRAIL_LOGGING_CHECK = 'aws.trail.logging';
export const TRAIL_MANAGEMENT_CHECK = 'aws.trail.management-events';
export const TRAIL_DATA_CHECK = 'aws.trail.data-events';

/** The parts of a DescribeTrails entry the doctor reads. */
export interface TrailDescription {
  readonly Name?: string;
  readonly TrailARN?: string;
  readonly HomeRegion?: string;
  readonly IsMultiRegionTrail?: boolean;
  readonly IncludeGlobalServiceEvents?: boolean;
}

/** The parts of GetTrailStatus the doctor reads. */
export interface TrailStatus {
  readonly IsLogging?: boolean;
  readonly LatestDeliveryError?: string;
}

export interface TrailState {
  readonly trail: TrailDescription;
  readonly status: Fetched<TrailStatus>;
  readonly selectors: Fetched<TrailSelectors>;
}

export interface TrailInputs {
  /** The region the doctor looked in. */
  readonly region: string;
  /** --trail, when one was named; otherwise every trail DescribeTrails lists counts. */
  readonly trailName?: string;
  readonly trails: Fetched<readonly TrailState[]>;
  /** --buckets: the S3 buckets whose object access must be logged. */
  readonly buckets: readonly string[];
}

const GRANT =
  'grant cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors (e.g. the AWSCloudTrail_ReadOnlyAccess policy)';

function nameOf(trail: TrailDescription): string {
  return trail.Name ?? trail.TrailARN ?? '?';
}

function homeOf(trail: TrailDescription, region: string): string {
  return trail.HomeRegion ?? region;
}

function trailFlags(trail: TrailDescription, region: string): string {
  return `--trail-name ${shellQuote(nameOf(trail))} --region ${shellQuote(homeOf(trail, region))}`;
}

function createTrailFix(region: string, name = 'tokentrail'): string {
  const quoted = shellQuote(name);
  return (
    `aws cloudtrail create-trail --name ${quoted} --s3-bucket-name YOUR-LOG-BUCKET --is-multi-region-trail ` +
    `--region ${shellQuote(region)} && aws cloudtrail start-logging --name ${quoted} --region ${shellQuote(region)}`
  );
}

function isLogging(state: TrailState): boolean {
  return state.status.ok && state.status.value.IsLogging === true;
}

/** The trails whose selectors count: the named one, or those logging (all, when none is). */
function candidates(input: TrailInputs, trails: readonly TrailState[]): readonly TrailState[] {
  if (input.trailName !== undefined) return trails;
  const logging = trails.filter(isLogging);
  return logging.length > 0 ? logging : trails;
}

function checkLogging(input: TrailInputs, trails: readonly TrailState[]): CheckResult[] {
  const { region } = input;
  if (trails.length === 0) {
    return [
      {
        check: TRAIL_LOGGING_CHECK,
        status: 'fail',
        ...(input.trailName === undefined ? {} : { target: input.trailName }),
        message:
          input.trailName === undefined
            ? `no CloudTrail trail in ${region}: no S3 log files, no data events, and EventBridge gets no CloudTrail events`
            : `trail ${input.trailName} not found in ${region}`,
        fix: createTrailFix(region, input.trailName),
      },
    ];
  }
  const logging = trails.filter(isLogging);
  if (input.trailName === undefined && logging.length === 0) {
    const unknown = trails.filter((state) => !state.status.ok);
    const first = unknown[0];
    if (first && !first.status.ok) {
      return [
        unreadable(TRAIL_LOGGING_CHECK, `the status of trail ${nameOf(first.trail)}`, first.status.failure, {
          grant: GRANT,
        }),
      ];
    }
  }
  const considered = input.trailName === undefined && logging.length > 0 ? logging : trails;
  return considered.map((state): CheckResult => {
    const name = nameOf(state.trail);
    const base = { check: TRAIL_LOGGING_CHECK, target: name };
    if (!state.status.ok) {
      return unreadable(TRAIL_LOGGING_CHECK, `the status of trail ${name}`, state.status.failure, {
        target: name,
        grant: GRANT,
      });
    }
    const home = shellQuote(homeOf(state.trail, region));
    if (state.status.value.IsLogging !== true) {
      return {
        ...base,
        status: 'fail',
        message: `trail ${name} is not logging: nothing is delivered, and the empty stream looks like no activity`,
        fix: `aws cloudtrail start-logging --name ${shellQuote(name)} --region ${home}`,
      };
    }
    const deliveryError = state.status.value.LatestDeliveryError;
    if (deliveryError) {
      return {
        ...base,
        status: 'warn',
        message: `trail ${name} is logging, but its last delivery to S3 failed: ${deliveryError}`,
        fix: `aws cloudtrail describe-trails --trail-name-list ${shellQuote(name)} --region ${home}  # then fix the policy of its S3 bucket (and KMS key)`,
      };
    }
    return { ...base, status: 'ok', message: `trail ${name} is logging`, fix: '' };
  });
}

interface Best {
  readonly state: TrailState;
  readonly coverage: Coverage;
  readonly via: string | null;
}

function bestCoverage(states: readonly TrailState[], kind: EventKind): Best | null {
  let best: Best | null = null;
  const rank = { none: 0, some: 1, all: 2 };
  for (const state of states) {
    if (!state.selectors.ok) continue;
    const match = selectorCoverage(state.selectors.value, kind);
    if (best === null || rank[match.coverage] > rank[best.coverage]) best = { state, ...match };
  }
  return best;
}

function firstSelectorFailure(
  states: readonly TrailState[],
): { state: TrailState; failure: FetchFailure } | null {
  for (const state of states) if (!state.selectors.ok) return { state, failure: state.selectors.failure };
  return null;
}

/** put-event-selectors replaces every selector: the fix keeps the ones there and adds one. */
function addSelectorFix(
  state: TrailState,
  region: string,
  added: { readonly classic: object; readonly advanced: object },
): string {
  const selectors: TrailSelectors = state.selectors.ok ? state.selectors.value : {};
  const advanced = selectors.AdvancedEventSelectors ?? [];
  const flags = trailFlags(state.trail, region);
  if (advanced.length > 0 || !state.selectors.ok) {
    const list = JSON.stringify([...advanced, added.advanced]);
    return `aws cloudtrail put-event-selectors ${flags} --advanced-event-selectors ${shellQuote(list)}`;
  }
  const list = JSON.stringify([...(selectors.EventSelectors ?? []), added.classic]);
  return `aws cloudtrail put-event-selectors ${flags} --event-selectors ${shellQuote(list)}`;
}

function checkManagementEvents(input: TrailInputs, states: readonly TrailState[]): CheckResult {
  const check = TRAIL_MANAGEMENT_CHECK;
  const best = bestCoverage(states, ASSUME_ROLE_WITH_WEB_IDENTITY);
  if (best === null) {
    const failed = firstSelectorFailure(states)!;
    return unreadable(check, `the event selectors of trail ${nameOf(failed.state.trail)}`, failed.failure, {
      grant: GRANT,
    });
  }
  const name = nameOf(best.state.trail);
  const base = { check, target: name };
  const fix = addSelectorFix(best.state, input.region, {
    classic: { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] },
    advanced: {
      Name: 'Management events',
      FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
    },
  });
  if (best.coverage === 'none') {
    return {
      ...base,
      status: 'fail',
      message: `trail ${name} does not log read-only management events: AssumeRoleWithWebIdentity (readOnly: true) is never recorded`,
      fix,
    };
  }
  if (best.coverage === 'some') {
    return {
      ...base,
      status: 'warn',
      message: `trail ${name}'s ${best.via} logs STS management events only in part (a filter the doctor cannot judge); check that AssumeRoleWithWebIdentity is included`,
      fix,
    };
  }
  const flags = `--name ${shellQuote(name)} --region ${shellQuote(homeOf(best.state.trail, input.region))}`;
  if (best.state.trail.IsMultiRegionTrail === false) {
    return {
      ...base,
      status: 'warn',
      message: `trail ${name} logs AssumeRoleWithWebIdentity only in ${homeOf(best.state.trail, input.region)}: calls to other regions' STS endpoints are not recorded`,
      fix: `aws cloudtrail update-trail ${flags} --is-multi-region-trail`,
    };
  }
  if (best.state.trail.IncludeGlobalServiceEvents === false) {
    return {
      ...base,
      status: 'warn',
      message: `trail ${name} leaves out global service events: calls to the global STS endpoint (sts.amazonaws.com) are not recorded`,
      fix: `aws cloudtrail update-trail ${flags} --include-global-service-events`,
    };
  }
  return {
    ...base,
    status: 'ok',
    message: `trail ${name} logs AssumeRoleWithWebIdentity (${best.via}, read-only management events)`,
    fix: '',
  };
}

function s3Fix(state: TrailState, region: string, buckets: readonly string[]): string {
  const prefixes = buckets.map(s3ObjectArnPrefix);
  return addSelectorFix(state, region, {
    classic: {
      ReadWriteType: 'All',
      IncludeManagementEvents: false,
      DataResources: [{ Type: 'AWS::S3::Object', Values: prefixes }],
    },
    advanced: {
      Name: 'tokentrail: S3 object access',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        { Field: 'resources.ARN', StartsWith: prefixes },
      ],
    },
  });
}

interface BucketCoverage {
  readonly bucket: string;
  readonly reads: Best;
  readonly writes: Best;
}

function bucketResult(input: TrailInputs, coverage: BucketCoverage, fix: string): CheckResult {
  const { bucket, reads, writes } = coverage;
  const base = { check: TRAIL_DATA_CHECK, target: bucket };
  const readTrail = nameOf(reads.state.trail);
  if (reads.coverage === 'none') {
    return {
      ...base,
      status: 'fail',
      message: `no trail logs reads of objects in ${bucket} (S3 data events): who read it stays unknown`,
      fix,
    };
  }
  if (reads.coverage === 'some') {
    return {
      ...base,
      status: 'warn',
      message: `trail ${readTrail} logs reads of only some objects in ${bucket} (${reads.via} narrows by prefix, event name or identity)`,
      fix,
    };
  }
  if (writes.coverage !== 'all') {
    return {
      ...base,
      status: 'warn',
      message: `trail ${readTrail} logs reads of ${bucket} but ${writes.coverage === 'none' ? 'no' : 'only some'} writes`,
      fix,
    };
  }
  const home = homeOf(reads.state.trail, input.region);
  const regional =
    reads.state.trail.IsMultiRegionTrail === false
      ? ` (a single-region trail: only if ${bucket} is in ${home})`
      : '';
  return {
    ...base,
    status: 'ok',
    message: `trail ${readTrail} logs reads and writes of objects in ${bucket} (${reads.via})${regional}`,
    fix: '',
  };
}

function checkDataEvents(input: TrailInputs, states: readonly TrailState[]): CheckResult[] {
  const check = TRAIL_DATA_CHECK;
  const failed = firstSelectorFailure(states);
  if (input.buckets.length === 0) {
    const any = bestCoverage(states, { ...s3ObjectEvents('', true), arnPrefix: 'arn:aws:s3:::' });
    if (any === null) {
      return [
        unreadable(check, `the event selectors of trail ${nameOf(failed!.state.trail)}`, failed!.failure, {
          grant: GRANT,
        }),
      ];
    }
    const name = nameOf(any.state.trail);
    if (any.coverage === 'all') {
      return [
        {
          check,
          status: 'ok',
          target: name,
          message: `trail ${name} logs S3 object reads in every bucket`,
          fix: '',
        },
      ];
    }
    if (any.coverage === 'some') {
      return [
        {
          check,
          status: 'skipped',
          message: `trail ${name} logs S3 object reads for some buckets; name yours with --buckets b1,b2 to check them`,
          fix: '',
        },
      ];
    }
    return [
      {
        check,
        status: 'warn',
        target: name,
        message: 'no trail logs S3 data events: AWS bucket access will be missing from who-accessed',
        fix: `${s3Fix(any.state, input.region, ['BUCKET'])}  # one prefix per bucket of interest`,
      },
    ];
  }
  const coverages: BucketCoverage[] = [];
  for (const bucket of input.buckets) {
    const reads = bestCoverage(states, s3ObjectEvents(bucket, true));
    const writes = bestCoverage(states, s3ObjectEvents(bucket, false));
    if (reads === null || writes === null) {
      return input.buckets.map((target) =>
        unreadable(check, `the event selectors of trail ${nameOf(failed!.state.trail)}`, failed!.failure, {
          target,
          grant: GRANT,
        }),
      );
    }
    coverages.push({ bucket, reads, writes });
  }
  // One command that adds every bucket missing, so running any of the fixes leaves none out.
  const missing = coverages.filter(
    (coverage) => coverage.reads.coverage !== 'all' || coverage.writes.coverage !== 'all',
  );
  const fixTrail = (input.trailName === undefined ? states.find(isLogging) : undefined) ?? states[0]!;
  const fix =
    missing.length === 0
      ? ''
      : s3Fix(
          fixTrail,
          input.region,
          missing.map((coverage) => coverage.bucket),
        );
  return coverages.map((coverage) => bucketResult(input, coverage, fix));
}

/** The trail is logging, records AssumeRoleWithWebIdentity, and records object access in each bucket. */
export function checkTrails(input: TrailInputs): CheckResult[] {
  if (!input.trails.ok) {
    const failure = input.trails.failure;
    return [TRAIL_LOGGING_CHECK, TRAIL_MANAGEMENT_CHECK, TRAIL_DATA_CHECK].map((check) =>
      unreadable(check, `the trails in ${input.region}`, failure, {
        grant: GRANT,
        create: createTrailFix(input.region, input.trailName),
        ...(input.trailName === undefined ? {} : { target: input.trailName }),
      }),
    );
  }
  const trails = input.trails.value;
  const logging = checkLogging(input, trails);
  if (trails.length === 0) {
    const dependent = [TRAIL_MANAGEMENT_CHECK, TRAIL_DATA_CHECK].map(
      (check): CheckResult => ({ check, status: 'skipped', message: 'needs a trail', fix: '' }),
    );
    return [...logging, ...dependent];
  }
  const states = candidates(input, trails);
  return [...logging, checkManagementEvents(input, states), ...checkDataEvents(input, states)];
}
