import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-harness.js';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const POLICY = join(__dirname, '..', '..', 'docs', 'policy.example.yaml');
const NOW = new Date('2026-11-16T09:00:00Z');
/** A branch name that reads "main" backwards on a terminal, with a zero-width space and a C1 control. */
const SUBJECT = 'repo:acme/web:ref:refs/heads/\u202eniam\u200b\u0085';
const INVISIBLE = /[\u0085\u200b\u202e]/;

let directory: string;
let store: string;
let input: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-inert-json-'));
  store = join(directory, 'store.duckdb');
  // The EventBridge example, moved to the production deploy role with a hostile subject.
  const event = JSON.parse(
    readFileSync(join(EXAMPLES, 'aws', 'eventbridge-assume-role-with-web-identity.json'), 'utf8'),
  );
  const role = 'arn:aws:iam::111122223333:role/github-deploy';
  event.detail.eventTime = '2026-11-16T08:00:00Z';
  event.detail.userIdentity.userName = SUBJECT;
  event.detail.requestParameters.roleArn = role;
  event.detail.responseElements.subjectFromWebIdentityToken = SUBJECT;
  event.detail.responseElements.assumedRoleUser.arn =
    'arn:aws:sts::111122223333:assumed-role/github-deploy/GitHubActions';
  event.detail.resources[0].ARN = role;
  input = join(directory, 'event.json');
  writeFileSync(input, JSON.stringify(event));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('JSON output of detect and alerts list', () => {
  it('escapes bidi, zero-width and C1 characters alike, and parses back to the exact subject', async () => {
    const detected = await runCli(
      ['detect', input, '--store', store, '--policy', POLICY, '--no-progress', '--since', '1d'],
      { now: NOW },
    );
    expect(detected.code).toBe(0);
    const listed = await runCli(['alerts', 'list', '--json', '--store', store], { now: NOW });
    expect(listed.code).toBe(0);

    for (const output of [detected.stdout, listed.stdout]) {
      expect(output).not.toMatch(INVISIBLE);
      expect(output).toContain('\\u202eniam\\u200b\\u0085');
    }
    const subjects = (rows: Record<string, unknown>[]) =>
      rows.filter((row) => row.rule === 'unexpected-subject').map((row) => row.subject);
    expect(subjects(detected.rows)).toEqual([SUBJECT]);
    expect(subjects(listed.rows)).toEqual([SUBJECT]);
  });
});
