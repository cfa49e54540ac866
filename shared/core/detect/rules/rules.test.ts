import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { celConditionJudge } from '../../identity/gcp-attribute-condition.js';
import { ipRanges, type RangeEntry } from '../../network/ip-ranges.js';
import { networkJudge } from '../../network/network-judge.js';
import { newRow } from '../../normalize/build-row.js';
import type { Row } from '../../schema/row.js';
import { type Baseline, pairKey } from '../detection-rule.js';
import type { Policy } from '../policy.js';
import { RULES } from '../rules.js';

interface Fixture {
  readonly description: string;
  readonly policy: Policy;
  readonly baseline?: Omit<
    Baseline,
    'principalSubjects' | 'subjectBuckets' | 'trustsBefore' | 'rootSubjects'
  > & {
    principalSubjects: [string, string][];
    subjectBuckets: [string, string][];
    trustsBefore?: [string, { event_time: string; trust: unknown }][];
    rootSubjects?: [string, string][];
  };
  readonly rows: Partial<Row>[];
  readonly expected: string[];
  /** Published ranges the rule sees (absent: none loaded). */
  readonly ranges?: RangeEntry[];
}

const EMPTY_BASELINE: Baseline = {
  principalSubjects: new Set(),
  subjectBuckets: new Set(),
  historyStart: null,
  windowStart: '2026-11-20T00:00:00.000000Z',
};

function row(partial: Partial<Row>): Row {
  const base = newRow({
    event_id: 'e',
    event_time: '2026-11-20T00:00:00.000000Z',
    cloud: 'aws',
    source: 'sts.amazonaws.com',
    action: 'AssumeRoleWithWebIdentity',
    category: 'token_exchange',
    outcome: 'success',
    error_code: null,
    error_message: null,
    source_ip: '203.0.113.7',
    user_agent: null,
    account: null,
    region: null,
    raw: {},
  });
  return { ...base, ...partial };
}

const cases = RULES.flatMap((rule) => {
  const directory = join(__dirname, rule.id, 'fixtures');
  return readdirSync(directory).map((file) => {
    const fixture = JSON.parse(readFileSync(join(directory, file), 'utf8')) as Fixture;
    return { rule, name: `${rule.id}/${file.replace(/\.json$/, '')}`, fixture };
  });
});

describe('detection rules, one fixture per case beside each rule', () => {
  it.each(cases.map((entry) => [entry.name, entry.fixture.description, entry] as const))(
    '%s: %s',
    (_name, _description, { rule, fixture }) => {
      const baseline: Baseline = fixture.baseline
        ? {
            ...fixture.baseline,
            principalSubjects: new Set(fixture.baseline.principalSubjects.map(([a, b]) => pairKey(a, b))),
            subjectBuckets: new Set(fixture.baseline.subjectBuckets.map(([a, b]) => pairKey(a, b))),
            trustsBefore: new Map(fixture.baseline.trustsBefore ?? []),
            rootSubjects: new Map(fixture.baseline.rootSubjects ?? []),
          }
        : EMPTY_BASELINE;
      const findings = rule.evaluate(fixture.rows.map(row), {
        policy: fixture.policy,
        baseline,
        conditions: celConditionJudge,
        network: networkJudge(fixture.ranges ? ipRanges(fixture.ranges) : undefined),
      });
      expect(findings.map((finding) => finding.event_id)).toEqual(fixture.expected);
      for (const finding of findings) expect(finding.rule).toBe(rule.id);
    },
  );

  it('has at least one match and one no-match fixture for every rule', () => {
    for (const rule of RULES) {
      const fixtures = cases.filter((entry) => entry.rule === rule).map((entry) => entry.fixture);
      expect([rule.id, fixtures.some((f) => f.expected.length > 0)]).toEqual([rule.id, true]);
      expect([rule.id, fixtures.some((f) => f.expected.length === 0)]).toEqual([rule.id, true]);
    }
  });
});
