/**
 * Does a trail's event selector configuration log a kind of event? Both forms are evaluated:
 * classic `EventSelectors` (ReadWriteType, IncludeManagementEvents, DataResources with ARN prefixes)
 * and `AdvancedEventSelectors` (field selectors; operators on one field are ANDed, the values of
 * one operator ORed; an event is logged when any selector matches all its field selectors).
 * The answer is three-valued: `all` events of the kind, `some` of them (a narrower prefix, an
 * eventName list, a filter on a field the doctor cannot judge), or `none`.
 */
export interface DataResource {
  readonly Type?: string;
  readonly Values?: readonly string[];
}

export interface EventSelector {
  readonly ReadWriteType?: string;
  readonly IncludeManagementEvents?: boolean;
  readonly DataResources?: readonly DataResource[];
  readonly ExcludeManagementEventSources?: readonly string[];
}

export interface AdvancedFieldSelector {
  readonly Field?: string;
  readonly Equals?: readonly string[];
  readonly StartsWith?: readonly string[];
  readonly EndsWith?: readonly string[];
  readonly NotEquals?: readonly string[];
  readonly NotStartsWith?: readonly string[];
  readonly NotEndsWith?: readonly string[];
}

export interface AdvancedEventSelector {
  readonly Name?: string;
  readonly FieldSelectors?: readonly AdvancedFieldSelector[];
}

/** GetEventSelectors' answer. A trail has one form or the other, never both. */
export interface TrailSelectors {
  readonly EventSelectors?: readonly EventSelector[];
  readonly AdvancedEventSelectors?: readonly AdvancedEventSelector[];
}

export type Coverage = 'all' | 'some' | 'none';

/** A field's possible values in the kind of event asked about: a finite set, or every string with a prefix. */
type FieldValue = { readonly oneOf: readonly string[] } | { readonly prefix: string };

/** A kind of event, described by the record fields selectors filter on. */
export interface EventKind {
  readonly eventCategory: 'Management' | 'Data';
  readonly readOnly: boolean;
  readonly eventSource: string;
  readonly eventNames: readonly string[];
  readonly eventType: string;
  /** Data events only. */
  readonly resourceType?: string;
  /** Data events only: every ARN of the kind starts with this. */
  readonly arnPrefix?: string;
}

/** AssumeRoleWithWebIdentity: a read-only management event of STS (events.md §2). */
export const ASSUME_ROLE_WITH_WEB_IDENTITY: EventKind = {
  eventCategory: 'Management',
  readOnly: true,
  eventSource: 'sts.amazonaws.com',
  eventNames: ['AssumeRoleWithWebIdentity'],
  eventType: 'AwsApiCall',
};

export function s3ObjectArnPrefix(bucket: string): string {
  return `arn:aws:s3:::${bucket}/`;
}

/** Object-level S3 data events on one bucket, reads or writes. */
export function s3ObjectEvents(bucket: string, readOnly: boolean): EventKind {
  return {
    eventCategory: 'Data',
    readOnly,
    eventSource: 's3.amazonaws.com',
    eventNames: readOnly ? ['GetObject', 'HeadObject'] : ['PutObject', 'CopyObject', 'DeleteObject'],
    eventType: 'AwsApiCall',
    resourceType: 'AWS::S3::Object',
    arnPrefix: s3ObjectArnPrefix(bucket),
  };
}

const RANK: Readonly<Record<Coverage, number>> = { none: 0, some: 1, all: 2 };
const BY_RANK: readonly Coverage[] = ['none', 'some', 'all'];

function least(coverages: readonly Coverage[]): Coverage {
  return BY_RANK[Math.min(...coverages.map((coverage) => RANK[coverage]))]!;
}

function most(coverages: readonly Coverage[]): Coverage {
  return coverages.length === 0 ? 'none' : BY_RANK[Math.max(...coverages.map((coverage) => RANK[coverage]))]!;
}

function negate(coverage: Coverage): Coverage {
  return coverage === 'all' ? 'none' : coverage === 'none' ? 'all' : 'some';
}

type Test = (value: string, operand: string) => boolean;
const TESTS = {
  Equals: (value: string, operand: string) => value === operand,
  StartsWith: (value: string, operand: string) => value.startsWith(operand),
  EndsWith: (value: string, operand: string) => value.endsWith(operand),
} satisfies Record<string, Test>;
type Operator = keyof typeof TESTS;

/** How many of the field's values one operand of a positive operator keeps. */
function matchOne(field: FieldValue, operator: Operator, operand: string): Coverage {
  if ('oneOf' in field) {
    const matched = field.oneOf.filter((value) => TESTS[operator](value, operand)).length;
    return matched === 0 ? 'none' : matched === field.oneOf.length ? 'all' : 'some';
  }
  switch (operator) {
    case 'StartsWith':
      if (field.prefix.startsWith(operand)) return 'all';
      return operand.startsWith(field.prefix) ? 'some' : 'none';
    case 'Equals':
      return operand.startsWith(field.prefix) ? 'some' : 'none';
    case 'EndsWith':
      return 'some';
  }
}

function matchOperator(field: FieldValue, operator: Operator, operands: readonly string[]): Coverage {
  return most(operands.map((operand) => matchOne(field, operator, operand)));
}

const NEGATIONS = { NotEquals: 'Equals', NotStartsWith: 'StartsWith', NotEndsWith: 'EndsWith' } as const;

/** `absent`: a field this kind of event does not have (resources.ARN on a management event). */
function fieldValue(kind: EventKind, field: string): FieldValue | 'absent' | 'unknown' {
  switch (field) {
    case 'eventCategory':
      return { oneOf: [kind.eventCategory] };
    case 'readOnly':
      return { oneOf: [String(kind.readOnly)] };
    case 'eventSource':
      return { oneOf: [kind.eventSource] };
    case 'eventName':
      return { oneOf: kind.eventNames };
    case 'eventType':
      return { oneOf: [kind.eventType] };
    case 'resources.type':
      return kind.resourceType === undefined ? 'absent' : { oneOf: [kind.resourceType] };
    case 'resources.ARN':
      return kind.arnPrefix === undefined ? 'absent' : { prefix: kind.arnPrefix };
    default:
      // userIdentity.arn, sessionCredentialFromConsole, ...: they narrow the events in ways
      // the doctor cannot judge from configuration alone.
      return 'unknown';
  }
}

function matchField(kind: EventKind, selector: AdvancedFieldSelector): Coverage {
  const value = fieldValue(kind, selector.Field ?? '');
  const conditions: Coverage[] = [];
  for (const operator of Object.keys(TESTS) as Operator[]) {
    const operands = selector[operator] ?? [];
    if (operands.length === 0) continue;
    if (value === 'absent') conditions.push('none');
    else conditions.push(value === 'unknown' ? 'some' : matchOperator(value, operator, operands));
  }
  for (const [negative, positive] of Object.entries(NEGATIONS) as [keyof typeof NEGATIONS, Operator][]) {
    const operands = selector[negative] ?? [];
    if (operands.length === 0) continue;
    if (value === 'absent') conditions.push('all');
    else conditions.push(value === 'unknown' ? 'some' : negate(matchOperator(value, positive, operands)));
  }
  return conditions.length === 0 ? 'all' : least(conditions);
}

function advancedCoverage(kind: EventKind, selector: AdvancedEventSelector): Coverage {
  const fields = selector.FieldSelectors ?? [];
  if (fields.length === 0) return 'none';
  return least(fields.map((field) => matchField(kind, field)));
}

function readWriteMatches(readWriteType: string | undefined, readOnly: boolean): boolean {
  const type = readWriteType ?? 'All';
  return type === 'All' || type === (readOnly ? 'ReadOnly' : 'WriteOnly');
}

function classicCoverage(kind: EventKind, selector: EventSelector): Coverage {
  if (!readWriteMatches(selector.ReadWriteType, kind.readOnly)) return 'none';
  if (kind.eventCategory === 'Management') {
    if (selector.IncludeManagementEvents === false) return 'none';
    return (selector.ExcludeManagementEventSources ?? []).includes(kind.eventSource) ? 'none' : 'all';
  }
  const prefix = kind.arnPrefix ?? '';
  const values = (selector.DataResources ?? [])
    .filter((resource) => resource.Type === kind.resourceType)
    .flatMap((resource) => resource.Values ?? []);
  // Classic values are ARN prefixes: `arn:aws:s3` (every bucket), `arn:aws:s3:::b/` (one bucket).
  return most(values.map((value) => matchOne({ prefix }, 'StartsWith', value)));
}

export interface SelectorMatch {
  readonly coverage: Coverage;
  /** `advanced selector "Name"` or `event selector 2`: what logs it, for the message. */
  readonly via: string | null;
}

/** How much of an event kind a trail's selectors log, and which selector logs the most of it. */
export function selectorCoverage(selectors: TrailSelectors, kind: EventKind): SelectorMatch {
  const advanced = selectors.AdvancedEventSelectors ?? [];
  const candidates =
    advanced.length > 0
      ? advanced.map((selector, index) => ({
          coverage: advancedCoverage(kind, selector),
          via: selector.Name ? `advanced selector "${selector.Name}"` : `advanced selector ${index + 1}`,
        }))
      : (selectors.EventSelectors ?? []).map((selector, index) => ({
          coverage: classicCoverage(kind, selector),
          via: `event selector ${index + 1}`,
        }));
  const best = candidates.reduce<SelectorMatch>(
    (winner, candidate) => (RANK[candidate.coverage] > RANK[winner.coverage] ? candidate : winner),
    { coverage: 'none', via: null },
  );
  return best;
}
