import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killRunningProcesses, runProcess } from '../helpers/run-process.js';

/**
 * Issue 17: a typo in the policy stops the installed command with the usage/config exit code and
 * `file:line:column`, instead of enforcing defaults in silence. Runs bin/tokentrail.js over dist/
 * (npm run build); each run is killed after a minute.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));
const USAGE_OR_CONFIG_ERROR = 1; // cli/cli-io.ts EXIT.failure

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

afterAll(killRunningProcesses);

(built ? describe : describe.skip)('tokentrail detect --policy with a typo', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'tokentrail-policy-typos-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const detect = (policyText: string) => {
    const policy = join(directory, 'policy.yaml');
    writeFileSync(policy, policyText);
    const store = join(directory, 'store.duckdb');
    const run = runProcess(
      process.execPath,
      [bin, 'detect', '--policy', policy, '--store', store, '--no-progress'],
      { cwd: directory, timeoutMs: 60_000 },
    );
    return { policy, store, run };
  };

  it.each([
    [
      'a wrong type',
      yaml('rules:', '  first-seen-subject:', '    learningDays: fourteen'),
      '3:19: rules.first-seen-subject.learningDays must be a number of days, 0 or more; found "fourteen"',
    ],
    [
      'an unknown top-level key',
      yaml('expect: []', 'suppresions: []'),
      '2:1: unknown key "suppresions" (did you mean suppress?); the policy\'s keys are expect, rules, suppress',
    ],
    [
      'an unknown rule setting',
      yaml('rules:', '  failed-exchange-burst:', '    treshold: 10'),
      '3:5: unknown setting "treshold" in rules.failed-exchange-burst (did you mean threshold?)',
    ],
    [
      'an unknown rule name',
      yaml('rules:', '  first-seen-subjects: {enabled: false}'),
      '2:3: unknown rule "first-seen-subjects" in rules (did you mean first-seen-subject?)',
    ],
    [
      'a bad value in a list',
      yaml(
        'expect:',
        '  - principal: "arn:aws:iam::111122223333:role/deploy"',
        '    subjects: ["repo:acme/*", 42]',
      ),
      '3:31: expect[0].subjects[1] must be a non-empty string',
    ],
    [
      'a bad value in a rule setting list',
      yaml('rules:', '  exchange-from-unexpected-network:', '    githubHosted: ["repo:acme/*", true]'),
      '3:35: rules.exchange-from-unexpected-network.githubHosted[1] must be a non-empty string (a subject pattern); found true',
    ],
    [
      'a negative number',
      yaml('rules:', '  failed-exchange-burst: {windowMinutes: -5}'),
      '2:42: rules.failed-exchange-burst.windowMinutes must be a number of minutes, above 0; found -5',
    ],
  ])(
    'refuses %s, saying where',
    async (_name, text, problem) => {
      const { policy, store, run } = detect(text);
      const { code, stdout, stderr } = await run;
      expect(stderr).toContain(`tokentrail: ${policy}:${problem}`);
      expect(code).toBe(USAGE_OR_CONFIG_ERROR);
      expect(stdout).toBe('');
      expect(existsSync(store)).toBe(false); // stopped before touching the store
    },
    90_000,
  );

  it('reports every mistake of the file in one run, one line each', async () => {
    const { policy, run } = detect(
      yaml(
        'expects: []',
        'rules:',
        '  first-seen-subject: {learningDays: fourteen}',
        '  failed-exchange-burst: {treshold: 10, windowMinutes: -5}',
        '  fork-pr: {}',
      ),
    );
    const { code, stderr } = await run;
    expect(code).toBe(USAGE_OR_CONFIG_ERROR);
    const lines = stderr.trim().split('\n');
    expect(lines.map((line) => line.match(/policy\.yaml:(\d+:\d+): /)?.[1])).toEqual([
      '1:1',
      '3:38',
      '4:27',
      '4:56',
      '5:3',
    ]);
    expect(lines[0]).toBe(
      `tokentrail: ${policy}:1:1: unknown key "expects" (did you mean expect?); the policy's keys are expect, rules, suppress`,
    );
  }, 90_000);

  it('still runs with the example policy', async () => {
    const input = resolve(root, 'examples/aws/eventbridge-assume-role-with-web-identity.json');
    const example = resolve(root, 'docs/policy.example.yaml');
    const store = join(directory, 'store.duckdb');
    const { code, stderr } = await runProcess(
      process.execPath,
      [bin, 'detect', input, '--policy', example, '--store', store, '--no-progress'],
      { cwd: directory, timeoutMs: 60_000 },
    );
    expect(stderr).not.toContain('policy.example.yaml');
    expect(code).toBe(0);
  }, 90_000);
});
