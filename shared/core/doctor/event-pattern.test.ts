import { matchEventPattern, type Verdict } from './event-pattern.js';

const EVENT = {
  source: 'aws.sts',
  'detail-type': 'AWS API Call via CloudTrail',
  resources: [],
  detail: {
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    readOnly: true,
    userIdentity: { type: 'WebIdentityUser' },
    errorCode: undefined,
  },
};

describe('matchEventPattern', () => {
  const cases: [label: string, pattern: unknown, verdict: Verdict, failed: string[] | null][] = [
    [
      'literal source and name',
      { source: ['aws.sts'], detail: { eventName: ['AssumeRoleWithWebIdentity'] } },
      'match',
      null,
    ],
    ['one of several sources', { source: ['aws.s3', 'aws.sts'] }, 'match', null],
    ['another source', { source: ['aws.s3'] }, 'no', ['source']],
    [
      'another event name',
      { source: ['aws.sts'], detail: { eventName: ['AssumeRole'] } },
      'no',
      ['detail.eventName'],
    ],
    ['a boolean', { detail: { readOnly: [true] } }, 'match', null],
    ['a boolean that differs', { detail: { readOnly: [false] } }, 'no', ['detail.readOnly']],
    ['prefix', { source: [{ prefix: 'aws.' }] }, 'match', null],
    ['prefix that differs', { source: [{ prefix: 'custom.' }] }, 'no', ['source']],
    ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, 'match', null],
    ['suffix', { detail: { eventName: [{ suffix: 'WebIdentity' }] } }, 'match', null],
    [
      'equals-ignore-case',
      { detail: { eventName: [{ 'equals-ignore-case': 'assumerolewithwebidentity' }] } },
      'match',
      null,
    ],
    [
      'anything-but another name',
      { detail: { eventName: [{ 'anything-but': ['AssumeRole'] }] } },
      'match',
      null,
    ],
    [
      'anything-but this name',
      { detail: { eventName: [{ 'anything-but': 'AssumeRoleWithWebIdentity' }] } },
      'no',
      null,
    ],
    ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, 'no', null],
    ['wildcard', { detail: { eventName: [{ wildcard: 'AssumeRole*' }] } }, 'match', null],
    ['exists false on an absent field', { detail: { errorCode: [{ exists: false }] } }, 'match', null],
    ['exists true on an absent field', { detail: { errorCode: [{ exists: true }] } }, 'no', null],
    ['a nested object', { detail: { userIdentity: { type: ['WebIdentityUser'] } } }, 'match', null],
    [
      'a field the model does not describe',
      { detail: { requestParameters: { roleArn: [{ prefix: 'arn:' }] } } },
      'unknown',
      null,
    ],
    ['numeric', { detail: { readOnly: [{ numeric: ['>', 0] }] } }, 'unknown', null],
    [
      '$or with one matching branch',
      { $or: [{ source: ['aws.s3'] }, { source: ['aws.sts'] }] },
      'match',
      null,
    ],
    ['$or with no matching branch', { $or: [{ source: ['aws.s3'] }, { source: ['aws.ec2'] }] }, 'no', null],
    ['not an object', ['aws.sts'], 'unknown', null],
  ];

  it.each(cases)('%s', (_label, pattern, verdict, failed) => {
    const result = matchEventPattern(pattern, EVENT);
    expect(result.verdict).toBe(verdict);
    if (failed !== null) expect(result.failed).toEqual(failed);
  });
});
