import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-harness.js';
import { startFakeIam } from '../helpers/fake-aws-iam.js';
import { gcpError, startFakeGcpIam } from '../helpers/fake-gcp-iam.js';

/**
 * `tokentrail trust scan`, offline over the trust changes a store holds and live against stand-ins
 * of IAM and Google's APIs (reached through TOKENTRAIL_AWS_ENDPOINT / TOKENTRAIL_GCP_ENDPOINT).
 */
const FIXTURES = join(__dirname, '..', '..', 'shared', 'core', 'normalize', 'fixtures');
const NOW = new Date('2026-12-05T00:00:00Z');

function record(folder: string, name: string): unknown {
  return (JSON.parse(readFileSync(join(FIXTURES, folder, `${name}.json`), 'utf8')) as { record: unknown })
    .record;
}

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-trust-scan-'));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('trust scan over the store', () => {
  let store: string;

  beforeAll(async () => {
    const inputs = join(directory, 'inputs');
    const aws = ['create-role-no-sub-condition', 'create-role-github-aud-and-sub'].map((name) =>
      record('aws-iam-trust-change', name),
    );
    const gcp = ['create-github-oidc-owner-condition', 'create-github-oidc-branch-condition'].map((name) =>
      record('gcp-iam-pool-provider-change', name),
    );
    mkdirSync(inputs, { recursive: true });
    writeFileSync(join(inputs, 'iam.json'), JSON.stringify({ Records: aws }));
    writeFileSync(join(inputs, 'gcp.ndjson'), `${gcp.map((entry) => JSON.stringify(entry)).join('\n')}\n`);
    store = join(directory, 'store.duckdb');
    const ingest = await runCli(['ingest', '--store', store, '--no-progress', inputs], { now: NOW });
    expect(ingest.code).toBe(0);
  });

  it('judges each principal from the trust changes it holds and exits 4 when one is weak', async () => {
    const result = await runCli(['trust', 'scan', '--store', store, '--json'], { now: NOW });
    expect(result.code).toBe(4);
    const verdicts = Object.fromEntries(result.rows.map((row) => [row.principal, row.verdict]));
    const roleArn = (
      record('aws-iam-trust-change', 'create-role-no-sub-condition') as {
        responseElements: { role: { arn: string } };
      }
    ).responseElements.role.arn;
    expect(verdicts[roleArn]).toBe('weak');
    // The pool's second provider admits any owner's main branch: its CEL condition is evaluated.
    const pool = result.rows.find((row) => row.kind === 'pool');
    expect(pool).toMatchObject({ verdict: 'weak' });
    expect(String(pool?.reasons)).toMatch(/does not fix the owner.*ref=refs\/heads\/main/);
    expect(result.rows.every((row) => ['weak', 'drift', 'ok'].includes(String(row.verdict)))).toBe(true);
  });

  it('prints a table, and CSV with a header row', async () => {
    const table = await runCli(['trust', 'scan', '--store', store], { now: NOW });
    expect(table.stdout).toMatch(/^trust scan of the trust changes in duckdb:/);
    expect(table.stdout).toMatch(/VERDICT\s+CLOUD\s+KIND\s+PRINCIPAL/);
    expect(table.stderr).toMatch(/principal\(s\): \d+ weak, 0 drifting from the policy \(no --policy/);
    const csv = await runCli(['trust', 'scan', '--store', store, '--csv'], { now: NOW });
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'verdict,cloud,kind,principal,issuer,audiences,admits,used,unused,reasons',
    );
  });

  it('says so, and exits 0, when the store holds no trust change', async () => {
    const empty = join(directory, 'empty.duckdb');
    expect(
      (await runCli(['ingest', '--store', empty, '--no-progress', join(directory, 'none.json')])).code,
    ).not.toBe(0);
    writeFileSync(join(directory, 'nothing.json'), JSON.stringify({ Records: [] }));
    expect(
      (await runCli(['ingest', '--store', empty, '--no-progress', join(directory, 'nothing.json')])).code,
    ).toBe(0);
    const result = await runCli(['trust', 'scan', '--store', empty], { now: NOW });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/holds no trust change .* --aws or --gcp --project P/);
  });
});

describe('trust scan of the live clouds, against stand-ins', () => {
  const ACCOUNT = '123456789012';
  const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const trustPolicy = (sub: string) =>
    encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: GITHUB },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
              StringLike: { 'token.actions.githubusercontent.com:sub': sub },
            },
          },
        ],
      }),
    );

  it('reads IAM roles read-only, judges drift against the policy, and exits 4', async () => {
    const iam = await startFakeIam({
      roles: [
        {
          RoleName: 'deploy',
          Arn: `arn:aws:iam::${ACCOUNT}:role/deploy`,
          AssumeRolePolicyDocument: trustPolicy('repo:acme/*'),
        },
        {
          RoleName: 'docs',
          Arn: `arn:aws:iam::${ACCOUNT}:role/docs`,
          AssumeRolePolicyDocument: trustPolicy('repo:acme/docs:ref:refs/heads/main'),
        },
      ],
      providers: [
        { Arn: GITHUB, Url: 'token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'] },
      ],
    });
    try {
      const policy = join(directory, 'policy.yaml');
      writeFileSync(
        policy,
        `expect:\n  - principal: "arn:aws:iam::${ACCOUNT}:role/deploy"\n    subjects: ["repo:acme/api:*"]\n`,
      );
      const result = await runCli(['trust', 'scan', '--aws', '--policy', policy, '--json'], {
        now: NOW,
        env: { TOKENTRAIL_AWS_ENDPOINT: iam.url, TOKENTRAIL_STORE: undefined },
      });
      expect(result.code).toBe(4);
      expect(result.rows.map((row) => [row.principal, row.verdict, row.admits])).toEqual([
        [`arn:aws:iam::${ACCOUNT}:role/deploy`, 'drift', 'repo:acme/*'],
        [`arn:aws:iam::${ACCOUNT}:role/docs`, 'ok', 'repo:acme/docs:ref:refs/heads/main'],
      ]);
      expect(result.rows[0]?.reasons).toBe('the cloud admits repo:acme/*, which the policy does not expect');
      const actions = iam.requests.map((request) => request.params.Action);
      expect(new Set(actions)).toEqual(
        new Set(['ListRoles', 'ListOpenIDConnectProviders', 'GetOpenIDConnectProvider']),
      );
    } finally {
      await iam.close();
    }
  });

  it('reads GCP pools and IAM policies, reports what it could not read, and sends no credentials to the stand-in', async () => {
    const POOLS = `projects/${ACCOUNT}/locations/global/workloadIdentityPools`;
    const gcp = await startFakeGcpIam({
      projects: {
        'acme-prod': {
          number: ACCOUNT,
          pools: [
            {
              pool: { name: `${POOLS}/github`, state: 'ACTIVE' },
              providers: [
                {
                  name: `${POOLS}/github/providers/github`,
                  state: 'ACTIVE',
                  attributeMapping: { 'google.subject': 'assertion.sub' },
                  attributeCondition: "assertion.repository_owner == 'acme'",
                  oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
                },
              ],
            },
          ],
          serviceAccounts: {
            'deployer@acme-prod.iam.gserviceaccount.com': {
              version: 3,
              bindings: [
                {
                  role: 'roles/iam.workloadIdentityUser',
                  members: [`principalSet://iam.googleapis.com/${POOLS}/github/*`],
                },
              ],
            },
          },
          policy: { version: 1, bindings: [] },
          buckets: gcpError(403, 'PERMISSION_DENIED', 'caller does not have storage.buckets.list access'),
        },
      },
    });
    try {
      const result = await runCli(['trust', 'scan', '--gcp', '--project', 'acme-prod', '--json'], {
        now: NOW,
        env: { TOKENTRAIL_GCP_ENDPOINT: gcp.url },
      });
      expect(result.code).toBe(4);
      expect(result.rows.map((row) => [row.kind, row.principal, row.verdict])).toEqual([
        ['service-account', 'deployer@acme-prod.iam.gserviceaccount.com', 'weak'],
        ['pool', `principalSet://iam.googleapis.com/${POOLS}/github/*`, 'ok'],
      ]);
      expect(result.stderr).toMatch(/could not read gcp projects\/acme-prod buckets: HTTP 403/);
      expect(gcp.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
    } finally {
      await gcp.close();
    }
  });

  it('asks for a project with --gcp and none given', async () => {
    const result = await runCli(['trust', 'scan', '--gcp'], { now: NOW, env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--gcp needs at least one --project P/);
  });
});
