import fc from 'fast-check';
import { globToRegex } from '../queries/glob.js';
import { EMPTY_POLICY, expectationsFor, type Policy, stringLike, suppressionFor } from './policy.js';

describe('stringLike', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/deploy', 'arn:aws:iam::111122223333:role/deploy', true],
    ['arn:aws:iam::111122223333:role/deploy', 'arn:aws:iam::111122223333:role/deploy2', false],
    ['arn:aws:iam::111122223333:role/eks-*', 'arn:aws:iam::111122223333:role/eks-etl-runner', true],
    ['arn:aws:iam::111122223333:role/eks-*', 'arn:aws:iam::444455556666:role/eks-etl-runner', false],
    ['repo:acme/*', 'repo:acme/api:ref:refs/heads/main', true],
    ['repo:acme/*', 'repo:acme-evil/api:ref:refs/heads/main', false],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main', true],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main2', false],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/api:pull_request', false],
    ['repo:acme/*:ref:refs/heads/main', 'repo:someone-else/payments-api:pull_request', false],
    ['repo:*/payments-api:*', 'repo:someone-else/payments-api:pull_request', true],
    ['repo:acme/web:environment:product?on', 'repo:acme/web:environment:production', true],
    ['repo:acme/web:environment:product?on', 'repo:acme/web:environment:producti0on', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false], // prefix and suffix may not overlap
    ['a?*?a', 'aba', false],
    ['a?*?a', 'abba', true],
    ['?', '😀', true], // one character, not one UTF-16 unit
    ['??', '😀', false],
    ['a?c', 'a\nc', true],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
    ['Repo:acme/*', 'repo:acme/api', false],
    ['repo:acme/.*', 'repo:acme/api', false],
    ['a.b', 'aXb', false],
    ['a+b(c)[d]{e}|^$\\', 'a+b(c)[d]{e}|^$\\', true],
    ['repo:acme/*', 'repo:acme/web:ref:refs/heads/<!here>\n*urgent*\u001b[31m', true],
  ])('%j against %j is %s', (pattern, value, expected) => {
    expect(stringLike(pattern, value)).toBe(expected);
  });

  it('matches a pattern without wildcards against exactly itself', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }).filter((text) => !/[*?]/.test(text)),
        fc.string({ unit: 'grapheme' }),
        (pattern, other) => {
          expect(stringLike(pattern, pattern)).toBe(true);
          expect(stringLike(pattern, other)).toBe(other === pattern);
        },
      ),
    );
  });

  it('matches anything, colons, slashes and newlines included, with a lone star', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ':', '/', '\n', '\r', '\u2028', '*', '?', '😀') });
    fc.assert(
      fc.property(text, text, (prefix, rest) => {
        expect(stringLike('*', prefix + rest)).toBe(true);
        expect(stringLike(`${prefix.replace(/[*?]/g, '')}*`, `${prefix.replace(/[*?]/g, '')}${rest}`)).toBe(
          true,
        );
      }),
    );
  });

  it('is case-sensitive', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', minLength: 1 }).filter((text) => /[a-z]/.test(text)),
        (text) => {
          const literal = text.replace(/[*?]/g, '');
          fc.pre(literal.toUpperCase() !== literal);
          expect(stringLike(literal, literal.toUpperCase())).toBe(false);
          expect(stringLike(`${literal}*`, literal.toUpperCase())).toBe(false);
        },
      ),
    );
  });

  it('agrees with the anchored regular expression of the same glob', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '/', '\n', '.', '😀');
    const pattern = fc.string({ unit: fc.oneof(alphabet, fc.constantFrom('*', '?')), maxLength: 8 });
    const value = fc.string({ unit: alphabet, maxLength: 12 });
    fc.assert(
      fc.property(pattern, value, (glob, text) => {
        expect(stringLike(glob, text)).toBe(new RegExp(globToRegex(glob), 'su').test(text));
      }),
      { numRuns: 2000 },
    );
  });

  // Counted, not timed: a clock would measure the machine's load as much as the matcher.
  it('stays linear where a backtracking regex would not finish', () => {
    const value = `${'a'.repeat(100_000)}b`; // /^.*a.*a.*a.*a.*a.*c.*b$/ backtracks for ages here
    for (const [pattern, expected] of [
      ['*a*a*a*a*a*c*b', false],
      ['*a?*a?*a?*a?*a?*c?*b', false],
      ['*a*a*a*a*a*b', true],
    ] as const) {
      const meter = { examined: 0 };
      expect(stringLike(pattern, value, meter)).toBe(expected);
      expect(meter.examined).toBeGreaterThan(0);
      // Linear: a few passes over the value, where backtracking would take ~value.length ** 5.
      expect(meter.examined).toBeLessThanOrEqual(4 * (value.length + pattern.length));
    }
  });

  it('examines O(pattern × value) characters, whatever the pattern and value', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '😀');
    const pattern = fc.string({ unit: fc.oneof(alphabet, fc.constantFrom('*', '?')), maxLength: 12 });
    const value = fc.string({ unit: alphabet, maxLength: 60 });
    fc.assert(
      fc.property(pattern, value, (glob, text) => {
        const meter = { examined: 0 };
        stringLike(glob, text, meter);
        expect(meter.examined).toBeLessThanOrEqual(2 * (glob.length + 1) * (text.length + 1));
      }),
      { numRuns: 1000 },
    );
  });
});

const POLICY: Policy = {
  expect: [
    {
      principal: 'arn:aws:iam::111122223333:role/github-deploy',
      subjects: ['repo:acme/payments-api:ref:refs/heads/main'],
      audiences: ['sts.amazonaws.com'],
    },
    { principal: 'arn:aws:iam::111122223333:role/*', subjects: ['repo:acme/*'] },
    {
      principal: 'deployer@acme-prod.iam.gserviceaccount.com',
      subjects: ['repo:acme/*:ref:refs/heads/main'],
    },
  ],
  rules: {},
  suppress: [
    {
      rule: 'unexpected-subject',
      principal: 'arn:aws:iam::444455556666:role/*',
      until: '2026-06-30T23:59:59.999999Z',
      reason: 'staging migration',
    },
    {
      rule: 'unexpected-subject',
      subject: 'repo:acme/legacy:*',
      until: '2026-01-31T23:59:59.999999Z',
      reason: 'legacy repo being retired',
    },
    { rule: 'access-denied-burst', until: '2026-03-01T00:00:00.000000Z', reason: 'load test' },
  ],
};

describe('expectationsFor', () => {
  it('returns every entry whose principal pattern matches, in file order', () => {
    expect(expectationsFor(POLICY, 'arn:aws:iam::111122223333:role/github-deploy')).toEqual([
      POLICY.expect[0],
      POLICY.expect[1],
    ]);
    expect(expectationsFor(POLICY, 'arn:aws:iam::111122223333:role/vendor-scanner')).toEqual([
      POLICY.expect[1],
    ]);
  });

  it('returns nothing for a principal the policy does not mention', () => {
    expect(expectationsFor(POLICY, 'arn:aws:iam::444455556666:role/github-deploy')).toEqual([]);
    expect(expectationsFor(EMPTY_POLICY, 'deployer@acme-prod.iam.gserviceaccount.com')).toEqual([]);
  });
});

describe('suppressionFor', () => {
  const finding = (rule: string, principal: string | null, subject: string | null) => ({
    rule,
    principal,
    subject,
  });

  it('finds the suppression whose rule, patterns and expiry cover the finding', () => {
    const staging = finding('unexpected-subject', 'arn:aws:iam::444455556666:role/github-deploy', 'repo:x/y');
    expect(suppressionFor(POLICY, staging, '2026-06-30T23:59:59.999999Z')).toBe(POLICY.suppress[0]);
    const legacy = finding('unexpected-subject', 'arn:aws:iam::111122223333:role/x', 'repo:acme/legacy:pr');
    expect(suppressionFor(POLICY, legacy, '2026-01-01T00:00:00.000000Z')).toBe(POLICY.suppress[1]);
    const burst = finding('access-denied-burst', null, null);
    expect(suppressionFor(POLICY, burst, '2026-02-01T00:00:00.000000Z')).toBe(POLICY.suppress[2]);
  });

  it('lets a suppression lapse after its expiry', () => {
    const staging = finding('unexpected-subject', 'arn:aws:iam::444455556666:role/github-deploy', 'repo:x/y');
    expect(suppressionFor(POLICY, staging, '2026-07-01T00:00:00.000000Z')).toBeNull();
  });

  it('does not cover another rule, principal or subject', () => {
    const at = '2026-01-01T00:00:00.000000Z';
    expect(
      suppressionFor(POLICY, finding('fork-pull-request', 'arn:aws:iam::444455556666:role/a', 'b'), at),
    ).toBeNull();
    expect(
      suppressionFor(POLICY, finding('unexpected-subject', 'arn:aws:iam::111122223333:role/a', 'b'), at),
    ).toBeNull();
  });

  it('does not cover a finding without the principal or subject a suppression names', () => {
    const at = '2026-01-01T00:00:00.000000Z';
    expect(suppressionFor(POLICY, finding('unexpected-subject', null, null), at)).toBeNull();
  });
});
