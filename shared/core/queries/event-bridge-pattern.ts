import type { CloudTrailNormalizer } from '../normalize/audit-record.js';
import { awsAssumeRoleWithWebIdentity } from '../normalize/aws-assume-role-with-web-identity.js';
import type { FieldTest, Relevance } from '../normalize/relevance.js';

/**
 * Which CloudTrail events the EventBridge rule delivers, in one place: serverless.yml (through the
 * generated infra/aws/event-pattern.json), `tokentrail doctor`'s fix and the package test all use
 * the pattern derived here from the normalizers' own relevance. Only AssumeRoleWithWebIdentity
 * comes this way; S3 data events come from the trail's files (S3 notifications through SQS).
 */
export const EVENT_BRIDGE_NORMALIZERS: readonly CloudTrailNormalizer[] = [awsAssumeRoleWithWebIdentity];

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The EventBridge `source` of a CloudTrail event, by its eventSource; a kind not listed is an error, not a guess. */
const EVENT_BRIDGE_SOURCES: Readonly<Record<string, string>> = {
  'sts.amazonaws.com': 'aws.sts',
  's3.amazonaws.com': 'aws.s3',
};

export interface EventBridgePattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

function eventSourcesOf(clause: readonly FieldTest[]): readonly string[] {
  const test = clause.find(({ field }) => field === 'eventSource');
  if (!test) throw new Error('an EventBridge pattern needs an eventSource in every relevance clause');
  return test.oneOf;
}

/**
 * A clause's field tests as a pattern on `detail`, eventSource first. `orAbsent` is dropped: an
 * event CloudTrail hands to EventBridge always carries its eventSource, so it admits nothing more.
 */
function detailOf(clause: readonly FieldTest[]): Record<string, string[]> {
  const ordered = [...clause].sort(
    (a, b) => Number(b.field === 'eventSource') - Number(a.field === 'eventSource'),
  );
  return Object.fromEntries(ordered.map((test) => [test.field, [...test.oneOf]]));
}

/** The event pattern matching exactly the CloudTrail events some of `relevances` takes. */
export function eventBridgePattern(relevances: readonly Relevance[]): EventBridgePattern {
  const clauses = relevances.flatMap((relevance) => relevance.anyOf);
  if (clauses.length === 0) throw new Error('an EventBridge pattern needs at least one relevance clause');
  const sources = [...new Set(clauses.flatMap(eventSourcesOf))].map((eventSource) => {
    const source = EVENT_BRIDGE_SOURCES[eventSource];
    if (!source) throw new Error(`no EventBridge source known for eventSource ${eventSource}`);
    return source;
  });
  const details = clauses.map(detailOf);
  return {
    source: [...new Set(sources)],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: details.length === 1 ? details[0]! : { $or: details },
  };
}

/** The pattern of tokentrail's EventBridge rule. */
export const EVENT_BRIDGE_PATTERN: EventBridgePattern = eventBridgePattern(
  EVENT_BRIDGE_NORMALIZERS.map((normalizer) => normalizer.relevance),
);
