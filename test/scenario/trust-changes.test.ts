import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-harness.js';

/**
 * Trust changes from both clouds, end to end: the normalizers' own fixture records, delivered as a
 * CloudTrail file and as Log Router NDJSON, ingested by `detect`, judged by `weak-trust`.
 */
const FIXTURES = join(__dirname, '..', '..', 'shared', 'core', 'normalize', 'fixtures');

function record(folder: string, name: string): unknown {
  return (JSON.parse(readFileSync(join(FIXTURES, folder, `${name}.json`), 'utf8')) as { record: unknown })
    .record;
}

const AWS = [
  'create-role-no-sub-condition',
  'create-role-github-aud-and-sub',
  'update-assume-role-policy-widened-list',
  'update-access-denied',
  'create-oidc-provider',
].map((name) => record('aws-iam-trust-change', name));
const GCP = [
  'create-no-attribute-condition',
  'create-github-oidc-owner-condition',
  'create-github-oidc-branch-condition',
  'update-allowed-audiences',
].map((name) => record('gcp-iam-pool-provider-change', name));

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-trust-'));
  writeFileSync(join(directory, 'iam.json'), JSON.stringify({ Records: AWS }));
  writeFileSync(join(directory, 'gcp.ndjson'), `${GCP.map((entry) => JSON.stringify(entry)).join('\n')}\n`);
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('trust changes through detect', () => {
  it('stores every change with its trust and raises weak-trust once per weak change', async () => {
    const store = join(directory, 'store.duckdb');
    const result = await runCli(
      ['detect', '--store', store, '--since', '3000d', '--no-progress', directory],
      {
        now: new Date('2026-12-05T00:00:00Z'),
      },
    );
    expect(result.code).toBe(0);
    const weak = result.rows.filter((alert) => alert.rule === 'weak-trust');
    // The GitHub role with no sub condition, the gitlab.com provider without a condition and the
    // GitHub provider whose CEL condition admits any owner's main branch (evaluated, with ||); the
    // scoped role, the denied update, the OIDC provider and the owner-scoped provider are not weak.
    expect(weak.map((alert) => alert.principal).sort()).toEqual([
      (AWS[0] as { responseElements: { role: { arn: string } } }).responseElements.role.arn,
      'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/*',
      'projects/acme-wif-prod/locations/global/workloadIdentityPools/ci/providers/gitlab',
    ]);
    expect(weak.find((alert) => String(alert.principal).includes('/github/'))?.title).toMatch(
      /does not fix the owner.*ref=refs\/heads\/main/,
    );

    const stored = await runCli([
      'query',
      'sql',
      '--store',
      store,
      '--json',
      "SELECT action, outcome, trust FROM events WHERE category = 'trust_change' ORDER BY action",
    ]);
    expect(stored.code).toBe(0);
    expect(stored.rows).toHaveLength(AWS.length + GCP.length);
    expect(stored.rows.every((row) => 'trust' in row)).toBe(true);
  });
});

describe('a widened trust, then a pull request it let in', () => {
  it('raises exactly one trust-widened alert, naming the subject the old trust refused', async () => {
    const template = record('aws-iam-trust-change', 'update-assume-role-policy-widened-list') as Record<
      string,
      unknown
    >;
    const policy = (subjects: string[]) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
            },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
              StringLike: { 'token.actions.githubusercontent.com:sub': subjects },
            },
          },
        ],
      });
    const trustChange = (id: string, time: string, subjects: string[]) => ({
      ...template,
      eventID: `7a8b9c0d-1e2f-4a3b-9c4d-00000000${id}`,
      eventTime: time,
      requestParameters: { roleName: 'gha-deploy-api', policyDocument: policy(subjects) },
    });
    const exchangeTemplate = record('aws-assume-role-with-web-identity', 'github-actions-success') as Record<
      string,
      Record<string, unknown>
    >;
    const exchange = (id: string, time: string, subject: string) =>
      JSON.parse(
        JSON.stringify({
          ...exchangeTemplate,
          eventID: `5e6f7a8b-9c0d-4e1f-8a2b-00000000${id}`,
          eventTime: time,
        })
          .replaceAll('repo:acme/api:ref:refs/heads/main', subject)
          .replaceAll('role/acme-api-deploy', 'role/gha-deploy-api'),
      );
    const widened = join(directory, 'widened');
    mkdirSync(widened, { recursive: true });
    writeFileSync(
      join(widened, 'trail.json'),
      JSON.stringify({
        Records: [
          trustChange('0101', '2026-11-20T09:00:00Z', ['repo:acme/api:ref:refs/heads/main']),
          exchange('0102', '2026-11-20T09:30:00Z', 'repo:acme/api:ref:refs/heads/main'),
          trustChange('0103', '2026-11-20T10:00:00Z', ['repo:acme/*']),
          exchange('0104', '2026-11-20T11:00:00Z', 'repo:acme/api:ref:refs/heads/main'),
          exchange('0105', '2026-11-20T12:00:00Z', 'repo:acme/api:pull_request'),
        ],
      }),
    );
    const result = await runCli(
      [
        'detect',
        '--store',
        join(widened, 'store.duckdb'),
        '--since',
        '2026-11-20',
        '--until',
        '2026-11-21',
        '--no-progress',
        widened,
      ],
      { now: new Date('2026-12-05T00:00:00Z') },
    );
    expect(result.code).toBe(0);
    const alerts = result.rows.filter((alert) => alert.rule === 'trust-widened');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      principal: 'arn:aws:iam::111122223333:role/gha-deploy-api',
      subject: 'repo:acme/api:pull_request',
    });
  });
});
