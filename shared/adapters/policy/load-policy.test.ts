import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_POLICY, expectationsFor, type Policy, stringLike } from '../../core/detect/policy.js';
import { RULE_IDS } from '../../core/detect/policy-schema.js';
import { loadPolicy, PolicyError, parsePolicy } from './load-policy.js';

/** Joins lines, so a test's YAML reads as it would in the file and line numbers are easy to count. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

function problemsOf(text: string, options: { ruleIds?: readonly string[] } = {}): readonly string[] {
  try {
    parsePolicy(text, 'policy.yaml', options);
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

const MINIMAL = yaml(
  'expect:',
  '  - principal: "arn:aws:iam::111122223333:role/deploy"      # exact or glob',
  '    subjects: ["repo:acme/api:ref:refs/heads/main", "repo:acme/api:environment:production"]',
  '    audiences: ["sts.amazonaws.com"]                          # optional',
  '  - principal: "deployer@acme-prod.iam.gserviceaccount.com"',
  '    subjects: ["repo:acme/*:ref:refs/heads/main"]',
  '  - principal: "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/*"',
  '    subjects: ["repo:acme/*"]',
);

describe('parsePolicy', () => {
  it('parses the minimal form from the issue', () => {
    expect(parsePolicy(MINIMAL, 'policy.yaml')).toEqual<Policy>({
      expect: [
        {
          principal: 'arn:aws:iam::111122223333:role/deploy',
          subjects: ['repo:acme/api:ref:refs/heads/main', 'repo:acme/api:environment:production'],
          audiences: ['sts.amazonaws.com'],
        },
        {
          principal: 'deployer@acme-prod.iam.gserviceaccount.com',
          subjects: ['repo:acme/*:ref:refs/heads/main'],
        },
        {
          principal:
            'principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/*',
          subjects: ['repo:acme/*'],
        },
      ],
      rules: {},
      suppress: [],
    });
  });

  it('parses rule settings and suppressions', () => {
    const policy = parsePolicy(
      yaml(
        'rules:',
        '  failed-exchange-burst: {threshold: 5, windowMinutes: 2.5, severity: high}',
        '  first-seen-subject:',
        '    enabled: false',
        '    learningDays: 7',
        'suppress:',
        '  - rule: unexpected-subject',
        '    principal: "arn:aws:iam::444455556666:role/*"',
        '    subject: "repo:acme/legacy:*"',
        '    until: 2026-12-31',
        '    reason: Legacy repo, retired at year end',
        '  - rule: failed-exchange-burst',
        '    until: 2026-06-01T12:30:00+02:00',
        '    reason: load test',
      ),
      'policy.yaml',
    );
    expect(policy).toEqual<Policy>({
      expect: [],
      rules: {
        'failed-exchange-burst': { threshold: 5, windowMinutes: 2.5, severity: 'high' },
        'first-seen-subject': { enabled: false, learningDays: 7 },
      },
      suppress: [
        {
          rule: 'unexpected-subject',
          principal: 'arn:aws:iam::444455556666:role/*',
          subject: 'repo:acme/legacy:*',
          until: '2026-12-31T23:59:59.999999Z', // a date covers the whole UTC day
          reason: 'Legacy repo, retired at year end',
        },
        { rule: 'failed-exchange-burst', until: '2026-06-01T10:30:00.000000Z', reason: 'load test' },
      ],
    });
  });

  it('reads a mapping of patterns to minutes for the principals setting', () => {
    const policy = parsePolicy(
      yaml(
        'rules:',
        '  use-long-after-mint:',
        '    afterMinutes: 90',
        '    principals:',
        '      "arn:aws:iam::*:role/etl-*": 720',
      ),
      'policy.yaml',
    );
    expect(policy.rules['use-long-after-mint']).toEqual({
      afterMinutes: 90,
      principals: { 'arn:aws:iam::*:role/etl-*': 720 },
    });
  });

  it('shares a subject list through a YAML anchor', () => {
    const policy = parsePolicy(
      yaml(
        'expect:',
        '  - principal: a',
        '    subjects: &main ["repo:acme/*:ref:refs/heads/main"]',
        '  - principal: b',
        '    subjects: *main',
      ),
      'policy.yaml',
    );
    expect(policy.expect.map((entry) => entry.subjects)).toEqual([
      ['repo:acme/*:ref:refs/heads/main'],
      ['repo:acme/*:ref:refs/heads/main'],
    ]);
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing enforced yet\n'],
    ['empty sections', yaml('expect:', 'rules:', 'suppress:', '  # - rule: x')],
  ])('reads %s as the empty policy (nothing enforced, rules on with their defaults)', (_name, text) => {
    expect(parsePolicy(text, 'policy.yaml')).toEqual(EMPTY_POLICY);
  });

  it.each([
    [
      'subjects of the wrong type',
      yaml(
        'expect:',
        '  - principal: a',
        '    subjects: [b]',
        '  - principal: c',
        '    subjects: "repo:acme/*"',
      ),
      ['policy.yaml:5:15: expect[1].subjects must be a list of strings'],
    ],
    [
      'a subject that is not a string',
      yaml('expect:', '  - principal: a', '    subjects: [b, 42, {c: d}]'),
      [
        'policy.yaml:3:19: expect[0].subjects[1] must be a non-empty string',
        'policy.yaml:3:23: expect[0].subjects[2] must be a non-empty string',
      ],
    ],
    [
      'missing subjects',
      yaml('expect:', '  - principal: a'),
      ['policy.yaml:2:5: expect[0] needs subjects (a list of subject patterns)'],
    ],
    [
      'empty subjects',
      yaml('expect:', '  - principal: a', '    subjects: []'),
      ['policy.yaml:3:15: expect[0].subjects must not be empty (list the subjects that may assume it)'],
    ],
    [
      'a missing principal',
      yaml('expect:', '  - subjects: [a]'),
      ['policy.yaml:2:5: expect[0] needs a principal (a principal pattern)'],
    ],
    [
      'a principal with no value',
      yaml('expect:', '  - principal:', '    subjects: [a]'),
      ['policy.yaml:2:5: expect[0].principal must be a non-empty string'],
    ],
    [
      'a principal that is a number',
      yaml('expect:', '  - principal: 111122223333', '    subjects: [a]'),
      ['policy.yaml:2:16: expect[0].principal must be a non-empty string'],
    ],
    [
      'empty audiences',
      yaml('expect:', '  - principal: a', '    subjects: [b]', '    audiences: []'),
      [
        'policy.yaml:4:16: expect[0].audiences must not be empty (leave audiences out to accept any audience)',
      ],
    ],
    [
      'an entry that is not a mapping',
      yaml('expect:', '  - "arn:aws:iam::111122223333:role/deploy"'),
      ['policy.yaml:2:5: expect[0] must be a mapping with principal and subjects'],
    ],
    [
      'expect that is not a list',
      yaml('expect:', '  principal: a', '  subjects: [b]'),
      ['policy.yaml:2:3: expect must be a list of entries (principal, subjects)'],
    ],
    [
      'an unknown top-level key',
      yaml('expects:', '  - principal: a', '    subjects: [b]'),
      [
        'policy.yaml:1:1: unknown key "expects" (did you mean expect?); the policy\'s keys are expect, rules, suppress',
      ],
    ],
    [
      'an unknown entry key',
      yaml('expect:', '  - principal: a', '    subject: [b]'),
      [
        'policy.yaml:2:5: expect[0] needs subjects (a list of subject patterns)',
        'policy.yaml:3:5: unknown key "subject" in expect[0] (did you mean subjects?); an entry has principal, subjects, audiences',
      ],
    ],
    [
      'a top level that is a list',
      yaml('- principal: a'),
      ['policy.yaml:1:1: the policy must be a mapping with the keys expect, rules, suppress'],
    ],
    [
      'a bad severity',
      yaml('rules:', '  unexpected-subject:', '    severity: urgent'),
      [
        'policy.yaml:3:15: rules.unexpected-subject.severity must be one of low, medium, high, critical; found "urgent"',
      ],
    ],
    [
      'enabled that is not a boolean',
      yaml('rules:', '  unexpected-subject:', '    enabled: yes'),
      ['policy.yaml:3:14: rules.unexpected-subject.enabled must be true or false; found "yes"'],
    ],
    [
      'a setting that is a mapping',
      yaml('rules:', '  failed-exchange-burst:', '    threshold: {count: 3}'),
      [
        'policy.yaml:3:16: rules.failed-exchange-burst.threshold must be a whole number of failures, 1 or more; found a mapping',
      ],
    ],
    [
      'a mapping setting with a value that is not a scalar',
      yaml('rules:', '  use-long-after-mint:', '    principals: {"arn:aws:iam::*:role/etl-*": [1]}'),
      [
        'policy.yaml:3:47: rules.use-long-after-mint.principals["arn:aws:iam::*:role/etl-*"] must be a number of minutes, above 0; found a list',
      ],
    ],
    [
      'rule settings that are not a mapping',
      yaml('rules:', '  unexpected-subject: off'),
      ['policy.yaml:2:23: rules.unexpected-subject must be a mapping of settings (enabled, severity, ...)'],
    ],
    [
      'a suppression without a reason',
      yaml('suppress:', '  - rule: unexpected-subject', '    until: 2026-12-31'),
      ['policy.yaml:2:5: suppress[0] needs reason (why the findings are acceptable)'],
    ],
    [
      'a suppression with an empty reason',
      yaml('suppress:', '  - rule: unexpected-subject', '    until: 2026-12-31', '    reason: "  "'),
      ['policy.yaml:4:13: suppress[0].reason must be a non-empty string'],
    ],
    [
      'a suppression without an expiry',
      yaml('suppress:', '  - rule: unexpected-subject', '    reason: known'),
      ['policy.yaml:2:5: suppress[0] needs until (the date it expires)'],
    ],
    [
      'a bad until date',
      yaml('suppress:', '  - rule: unexpected-subject', '    until: 2026-02-30', '    reason: known'),
      [
        'policy.yaml:3:12: suppress[0].until must be a date (2026-12-31) or an ISO 8601 timestamp (2026-12-31T18:00:00Z)',
      ],
    ],
    [
      'an until that is not a date',
      yaml('suppress:', '  - rule: unexpected-subject', '    until: next week', '    reason: known'),
      [
        'policy.yaml:3:12: suppress[0].until must be a date (2026-12-31) or an ISO 8601 timestamp (2026-12-31T18:00:00Z)',
      ],
    ],
    [
      'an unknown suppression key',
      yaml(
        'suppress:',
        '  - rule: weak-trust',
        '    until: 2026-12-31',
        '    reason: known',
        '    subjects: [a]',
      ),
      [
        'policy.yaml:5:5: unknown key "subjects" in suppress[0] (did you mean subject?); a suppression has rule, principal, subject, until, reason',
      ],
    ],
    [
      'a YAML syntax error',
      yaml('expect:', '  - principal: "arn:aws:iam::111122223333:role/deploy', '    subjects: [a]'),
      ['policy.yaml:4:1: YAML syntax error: Missing closing "quote'],
    ],
    [
      'an unquoted pattern that starts with a star',
      yaml('expect:', '  - principal: *', '    subjects: [a]'),
      [
        'policy.yaml:2:16: YAML syntax error: Alias cannot be an empty string (quote a pattern that starts with *)',
      ],
    ],
    [
      'an unquoted pattern that starts with a star and more',
      yaml('expect:', '  - principal: a', '    subjects: [*:ref:refs/heads/main]'),
      [
        'policy.yaml:3:16: YAML syntax error: no anchor &:ref:refs/heads/main before it (quote a pattern that starts with *)',
      ],
    ],
    [
      'a duplicate key',
      yaml('expect: []', 'expect: []'),
      ['policy.yaml:2:1: YAML syntax error: Map keys must be unique'],
    ],
  ])('points at the mistake: %s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });

  it('reports every mistake, one per line of the message', () => {
    const text = yaml(
      'expect:',
      '  - principal: a',
      '    subjects: []',
      'rules:',
      '  audience-mismatch: {severity: severe}',
    );
    expect(() => parsePolicy(text, 'team/policy.yaml')).toThrow(
      new PolicyError([
        'team/policy.yaml:3:15: expect[0].subjects must not be empty (list the subjects that may assume it)',
        'team/policy.yaml:5:33: rules.audience-mismatch.severity must be one of low, medium, high, critical; found "severe"',
      ]),
    );
  });

  it('checks rule ids against the rules it is given', () => {
    const text = yaml(
      'rules:',
      '  unexpected-subjects: {enabled: false}',
      'suppress:',
      '  - {rule: audience-mismatch, until: 2026-12-31, reason: known}',
      '  - {rule: fork-pr, until: 2026-12-31, reason: known}',
    );
    expect(problemsOf(text, { ruleIds: ['unexpected-subject', 'audience-mismatch'] })).toEqual([
      'policy.yaml:2:3: unknown rule "unexpected-subjects" in rules (did you mean unexpected-subject?); the rules are unexpected-subject, audience-mismatch',
      'policy.yaml:5:12: unknown rule "fork-pr" in suppress[1].rule; the rules are unexpected-subject, audience-mismatch',
    ]);
  });

  it('checks rule ids against every rule the schema declares when given none', () => {
    const text = yaml('rules:', '  unexpected-subjects: {enabled: false}');
    expect(problemsOf(text)).toEqual([
      `policy.yaml:2:3: unknown rule "unexpected-subjects" in rules (did you mean unexpected-subject?); the rules are ${RULE_IDS.join(', ')}`,
    ]);
  });
});

describe('rule settings', () => {
  it('loads every setting of every rule that has one, as written', () => {
    const text = yaml(
      'rules:',
      '  unexpected-subject: {enabled: true, severity: critical}',
      '  first-seen-subject: {learningDays: 0}',
      '  subject-new-bucket: {learningDays: 3.5}',
      '  failed-exchange-burst: {threshold: 1, windowMinutes: 0.5}',
      '  exchange-from-unexpected-network:',
      '    githubHosted: ["repo:acme/*", "repo:other/web:*"]',
      '  use-long-after-mint:',
      '    afterMinutes: 90',
      '    principals: {"arn:aws:iam::*:role/etl-*": 720}',
    );
    expect(parsePolicy(text, 'policy.yaml').rules).toEqual({
      'unexpected-subject': { enabled: true, severity: 'critical' },
      'first-seen-subject': { learningDays: 0 },
      'subject-new-bucket': { learningDays: 3.5 },
      'failed-exchange-burst': { threshold: 1, windowMinutes: 0.5 },
      'exchange-from-unexpected-network': { githubHosted: ['repo:acme/*', 'repo:other/web:*'] },
      'use-long-after-mint': { afterMinutes: 90, principals: { 'arn:aws:iam::*:role/etl-*': 720 } },
    });
  });

  it('reads a setting shared through a YAML anchor', () => {
    const text = yaml(
      'expect:',
      '  - principal: a',
      '    subjects: &hosted ["repo:acme/*"]',
      'rules:',
      '  exchange-from-unexpected-network: {githubHosted: *hosted}',
    );
    expect(parsePolicy(text, 'policy.yaml').rules).toEqual({
      'exchange-from-unexpected-network': { githubHosted: ['repo:acme/*'] },
    });
  });

  it.each([
    [
      'a word for a number',
      yaml('rules:', '  first-seen-subject:', '    learningDays: fourteen'),
      [
        'policy.yaml:3:19: rules.first-seen-subject.learningDays must be a number of days, 0 or more; found "fourteen"',
      ],
    ],
    [
      'a quoted number',
      yaml('rules:', '  failed-exchange-burst: {threshold: "10"}'),
      [
        'policy.yaml:2:38: rules.failed-exchange-burst.threshold must be a whole number of failures, 1 or more; found "10"',
      ],
    ],
    [
      'a misspelt setting',
      yaml('rules:', '  failed-exchange-burst:', '    treshold: 10'),
      [
        'policy.yaml:3:5: unknown setting "treshold" in rules.failed-exchange-burst (did you mean threshold?); its settings are enabled, severity, threshold, windowMinutes',
      ],
    ],
    [
      'a setting in the wrong case',
      yaml('rules:', '  subject-new-bucket:', '    LearningDays: 7'),
      [
        'policy.yaml:3:5: unknown setting "LearningDays" in rules.subject-new-bucket (did you mean learningDays?); its settings are enabled, severity, learningDays',
      ],
    ],
    [
      "another rule's setting",
      yaml('rules:', '  unexpected-subject:', '    threshold: 10'),
      [
        'policy.yaml:3:5: unknown setting "threshold" in rules.unexpected-subject; its settings are enabled, severity',
      ],
    ],
    [
      'a misspelt rule',
      yaml('rules:', '  failed-exchange-bursts:', '    threshold: 10'),
      [
        `policy.yaml:2:3: unknown rule "failed-exchange-bursts" in rules (did you mean failed-exchange-burst?); the rules are ${RULE_IDS.join(', ')}`,
      ],
    ],
    [
      'a misspelt severity',
      yaml('rules:', '  weak-trust: {severity: hihg}'),
      [
        'policy.yaml:2:26: rules.weak-trust.severity must be one of low, medium, high, critical; found "hihg" (did you mean high?)',
      ],
    ],
    [
      'a negative number',
      yaml('rules:', '  first-seen-subject:', '    learningDays: -3'),
      [
        'policy.yaml:3:19: rules.first-seen-subject.learningDays must be a number of days, 0 or more; found -3',
      ],
    ],
    [
      'zero where it must be above zero',
      yaml('rules:', '  use-long-after-mint: {afterMinutes: 0}'),
      [
        'policy.yaml:2:39: rules.use-long-after-mint.afterMinutes must be a number of minutes, above 0; found 0',
      ],
    ],
    [
      'a fraction where a count goes',
      yaml('rules:', '  failed-exchange-burst: {threshold: 2.5}'),
      [
        'policy.yaml:2:38: rules.failed-exchange-burst.threshold must be a whole number of failures, 1 or more; found 2.5',
      ],
    ],
    [
      'an infinite number',
      yaml('rules:', '  failed-exchange-burst: {windowMinutes: .inf}'),
      [
        'policy.yaml:2:42: rules.failed-exchange-burst.windowMinutes must be a number of minutes, above 0; found Infinity',
      ],
    ],
    [
      'a bad value in a list',
      yaml('rules:', '  exchange-from-unexpected-network:', '    githubHosted: ["repo:acme/*", 42, ""]'),
      [
        'policy.yaml:3:35: rules.exchange-from-unexpected-network.githubHosted[1] must be a non-empty string (a subject pattern); found 42',
        'policy.yaml:3:39: rules.exchange-from-unexpected-network.githubHosted[2] must be a non-empty string (a subject pattern); found ""',
      ],
    ],
    [
      'a pattern where a list goes',
      yaml('rules:', '  exchange-from-unexpected-network:', '    githubHosted: "repo:acme/*"'),
      [
        'policy.yaml:3:19: rules.exchange-from-unexpected-network.githubHosted must be a list of subject patterns; found "repo:acme/*"',
      ],
    ],
    [
      'a setting left empty',
      yaml('rules:', '  use-long-after-mint:', '    afterMinutes:'),
      [
        'policy.yaml:3:5: rules.use-long-after-mint.afterMinutes must be a number of minutes, above 0; found nothing',
      ],
    ],
    [
      'a bad value in a mapping',
      yaml(
        'rules:',
        '  use-long-after-mint:',
        '    principals:',
        '      "arn:aws:iam::*:role/etl-*": -60',
        '      "arn:aws:iam::*:role/batch-*": 1 day',
        '      "": 30',
      ),
      [
        'policy.yaml:4:36: rules.use-long-after-mint.principals["arn:aws:iam::*:role/etl-*"] must be a number of minutes, above 0; found -60',
        'policy.yaml:5:38: rules.use-long-after-mint.principals["arn:aws:iam::*:role/batch-*"] must be a number of minutes, above 0; found "1 day"',
        'policy.yaml:6:7: the key of rules.use-long-after-mint.principals[""] must be a non-empty pattern; found ""',
      ],
    ],
  ])('points at the mistake: %s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });

  it('refuses a file whose aliases multiply beyond reason, without expanding them', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level <= 8; level++) {
      const aliases = Array(10)
        .fill(`*a${level - 1}`)
        .join(', ');
      lines.push(`a${level}: &a${level} [${aliases}]`);
    }
    expect(problemsOf(yaml(...lines))).toEqual([
      'policy.yaml:1:1: YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('reports every mistake of the file at once, at every level, in file order', () => {
    const text = yaml(
      'expect:',
      '  - principal: a',
      '    subjects: [b]',
      '    audience: [c]',
      'rules:',
      '  first-seen-subject:',
      '    learningDays: fourteen',
      '  failed-exchange-burst:',
      '    treshold: 10',
      '  unexpected-subjects: {enabled: false}',
      'suppress:',
      '  - rule: weak-trust',
      '    until: 2026-12-31',
      '    reasn: known',
      'alerts: {}',
    );
    expect(problemsOf(text)).toEqual([
      'policy.yaml:4:5: unknown key "audience" in expect[0] (did you mean audiences?); an entry has principal, subjects, audiences',
      'policy.yaml:7:19: rules.first-seen-subject.learningDays must be a number of days, 0 or more; found "fourteen"',
      'policy.yaml:9:5: unknown setting "treshold" in rules.failed-exchange-burst (did you mean threshold?); its settings are enabled, severity, threshold, windowMinutes',
      `policy.yaml:10:3: unknown rule "unexpected-subjects" in rules (did you mean unexpected-subject?); the rules are ${RULE_IDS.join(', ')}`,
      'policy.yaml:12:5: suppress[0] needs reason (why the findings are acceptable)',
      'policy.yaml:14:5: unknown key "reasn" in suppress[0] (did you mean reason?); a suppression has rule, principal, subject, until, reason',
      'policy.yaml:15:1: unknown key "alerts"; the policy\'s keys are expect, rules, suppress',
    ]);
  });
});

describe('loadPolicy', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'tokentrail-policy-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('reads and checks a policy file, naming it in problems', async () => {
    const path = join(directory, 'policy.yaml');
    writeFileSync(path, MINIMAL);
    expect(await loadPolicy(path)).toEqual(parsePolicy(MINIMAL, 'policy.yaml'));

    writeFileSync(path, yaml('expect:', '  - principal: a'));
    await expect(loadPolicy(path)).rejects.toThrow(
      new PolicyError([`${path}:2:5: expect[0] needs subjects (a list of subject patterns)`]),
    );
  });

  it('refuses a missing file by name', async () => {
    const path = join(directory, 'missing.yaml');
    await expect(loadPolicy(path)).rejects.toThrow(new PolicyError([`${path}: no such policy file`]));
  });
});

describe('docs/policy.example.yaml', () => {
  const path = join(__dirname, '../../../docs/policy.example.yaml');
  const ruleIds = [
    'unexpected-subject',
    'audience-mismatch',
    'first-seen-subject',
    'failed-exchange-burst',
    'subject-new-bucket',
  ];

  /** Whether the example policy lets `subject` become `principal` (unenforced principals count as yes). */
  const accepts = (policy: Policy, principal: string, subject: string) => {
    const entries = expectationsFor(policy, principal);
    return (
      entries.length === 0 || entries.some((entry) => entry.subjects.some((p) => stringLike(p, subject)))
    );
  };

  it('loads its rule settings as written, checked against every rule', async () => {
    expect((await loadPolicy(path)).rules).toEqual({
      'failed-exchange-burst': { threshold: 10, windowMinutes: 10 },
      'first-seen-subject': { learningDays: 14 },
      'audience-mismatch': { severity: 'medium' },
    });
  });

  it('parses, with every rule id it names known', async () => {
    const policy = await loadPolicy(path, { ruleIds });
    expect(policy.expect.length).toBeGreaterThan(0);
    expect(policy.suppress).toHaveLength(1);
  });

  // The demo's ordinary exchanges (cli/demo/aws-traffic.ts, gcp-traffic.ts).
  it.each([
    ['arn:aws:iam::111122223333:role/github-deploy', 'repo:acme/payments-api:ref:refs/heads/main'],
    ['arn:aws:iam::111122223333:role/github-deploy', 'repo:acme/web:environment:production'],
    ['arn:aws:iam::111122223333:role/github-deploy', 'repo:acme/checkout:ref:refs/heads/main'],
    ['arn:aws:iam::111122223333:role/github-deploy', 'repo:acme/infra:ref:refs/heads/main'],
    ['arn:aws:iam::444455556666:role/github-deploy', 'repo:acme/web:environment:staging'],
    ['arn:aws:iam::444455556666:role/github-deploy', 'repo:acme/payments-api:pull_request'],
    ['arn:aws:iam::111122223333:role/eks-etl-runner', 'system:serviceaccount:data:etl-runner'],
    ['arn:aws:iam::111122223333:role/eks-payments-api-worker', 'system:serviceaccount:payments:api-worker'],
    ['arn:aws:iam::111122223333:role/vendor-scanner', 'tenant:acme-3f9c2d71'],
    ['deployer@acme-prod.iam.gserviceaccount.com', 'repo:acme/ml-platform:ref:refs/heads/main'],
    ['deployer@acme-prod.iam.gserviceaccount.com', 'repo:acme/web:environment:production'],
    ['dataflow-deployer@acme-prod.iam.gserviceaccount.com', 'repo:acme/data-pipeline:ref:refs/heads/main'],
    [
      'principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/subject/repo:acme/web:environment:production',
      'repo:acme/web:environment:production',
    ],
  ])('expects the demo traffic %s <- %s', async (principal, subject) => {
    expect(accepts(await loadPolicy(path), principal, subject)).toBe(true);
  });

  it.each([
    ['arn:aws:iam::111122223333:role/github-deploy', 'repo:someone-else/payments-api:pull_request'],
    [
      'arn:aws:iam::111122223333:role/github-deploy',
      'repo:acme/web:ref:refs/heads/<!here> *urgent*\u001b[31m',
    ],
    ['arn:aws:iam::444455556666:role/github-deploy', 'repo:someone-else/payments-api:pull_request'],
    ['deployer@acme-prod.iam.gserviceaccount.com', 'repo:acme/ml-platform:pull_request'],
  ])('does not expect the planted %s <- %s', async (principal, subject) => {
    expect(accepts(await loadPolicy(path), principal, subject)).toBe(false);
  });
});
