import { celConditionJudge } from '../identity/gcp-attribute-condition.js';
import { EMPTY_POLICY, type Policy } from './policy.js';
import { type StoredTrustChange, trustReport, trustReportResult, trustsFromChanges } from './trust-report.js';
import type { ScannedPrincipal } from './trusts.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const DEPLOY = 'arn:aws:iam::111122223333:role/deploy';
const POOL =
  'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/*';
const PROVIDER = 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github';

function role(
  principal: string,
  subjects: string[] | null,
  audiences: string[] | null = ['sts.amazonaws.com'],
) {
  return {
    cloud: 'aws',
    kind: 'role',
    principal,
    trusts: [{ issuer: GITHUB, audiences, subjects, condition: null }],
    grants: [],
    source: principal,
  } satisfies ScannedPrincipal;
}

describe('trustReport', () => {
  const policy: Policy = {
    ...EMPTY_POLICY,
    expect: [{ principal: DEPLOY, subjects: ['repo:acme/api:ref:refs/heads/main', 'repo:acme/web:*'] }],
  };

  it('judges each principal weak, drifting or ok, with who used it and the patterns nobody used', () => {
    const lines = trustReport(
      [
        role(DEPLOY, ['repo:acme/api:ref:refs/heads/main', 'repo:acme/web:*', 'repo:acme/tools:*']),
        role('arn:aws:iam::111122223333:role/any', null),
        role('arn:aws:iam::111122223333:role/fine', ['repo:acme/ops:ref:refs/heads/main']),
      ],
      [
        { principal: DEPLOY, subject: 'repo:acme/api:ref:refs/heads/main', count: 40 },
        { principal: DEPLOY, subject: 'repo:acme/web:pull_request', count: 2 },
        {
          principal: 'arn:aws:iam::111122223333:role/other',
          subject: 'repo:x/y:ref:refs/heads/main',
          count: 1,
        },
      ],
      policy,
    );
    expect(lines.map((line) => [line.principal, line.verdict])).toEqual([
      ['arn:aws:iam::111122223333:role/any', 'weak'],
      [DEPLOY, 'drift'],
      ['arn:aws:iam::111122223333:role/fine', 'ok'],
    ]);
    const deploy = lines[1]!;
    expect(deploy.used).toEqual([
      { subject: 'repo:acme/api:ref:refs/heads/main', count: 40 },
      { subject: 'repo:acme/web:pull_request', count: 2 },
    ]);
    expect(deploy.unused).toEqual(['repo:acme/tools:*']);
    expect(deploy.reasons).toEqual(['the cloud admits repo:acme/tools:*, which the policy does not expect']);
    expect(trustReportResult(lines).rows[0]).toMatchObject({
      verdict: 'weak',
      admits: 'any subject',
      reasons: 'no subject condition: any repository on GitHub can assume it',
    });
  });

  it("judges a pool's providers through their CEL conditions and counts the pool's principals' uses", () => {
    const pool: ScannedPrincipal = {
      cloud: 'gcp',
      kind: 'pool',
      principal: POOL,
      trusts: [
        { issuer: GITHUB, audiences: null, subjects: null, condition: "assertion.ref == 'refs/heads/main'" },
      ],
      grants: [],
      source: PROVIDER,
    };
    const [line] = trustReport(
      [pool],
      [
        {
          principal: `${POOL.replace('principalSet', 'principal').slice(0, -1)}subject/repo:acme/api:ref:refs/heads/main`,
          subject: 'repo:acme/api:ref:refs/heads/main',
          count: 3,
        },
      ],
      EMPTY_POLICY,
      celConditionJudge,
    );
    expect(line).toMatchObject({ verdict: 'weak', admits: "condition: assertion.ref == 'refs/heads/main'" });
    expect(line!.used).toEqual([{ subject: 'repo:acme/api:ref:refs/heads/main', count: 3 }]);
  });

  it("compares a pool's conditions with the expectations for the pool's principals", () => {
    const pool = (condition: string): ScannedPrincipal => ({
      cloud: 'gcp',
      kind: 'pool',
      principal: POOL,
      trusts: [
        {
          issuer: GITHUB,
          condition,
          mapping: { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' },
        },
      ],
      grants: [],
      source: PROVIDER,
    });
    const expectations: Policy = {
      ...EMPTY_POLICY,
      expect: [
        {
          principal: `${POOL.replace('principalSet', 'principal').slice(0, -1)}subject/*`,
          subjects: ['repo:acme/*', 'repo:acme-labs/tools:ref:refs/heads/main'],
        },
      ],
    };
    const [line] = trustReport(
      [pool("attribute.repository.startsWith('acme/')")],
      [],
      expectations,
      celConditionJudge,
    );
    expect(line).toMatchObject({
      verdict: 'drift',
      reasons: ['the policy expects repo:acme-labs/tools:ref:refs/heads/main, which the trust refuses'],
    });
  });

  it('flags a whole pool granted on a bucket, not one repository', () => {
    const bucket = (member: string): ScannedPrincipal => ({
      cloud: 'gcp',
      kind: 'bucket',
      principal: 'acme-prod-assets',
      trusts: [],
      grants: [{ role: 'roles/storage.objectViewer', member, condition: null }],
      source: 'b/acme-prod-assets',
    });
    expect(trustReport([bucket(POOL)], [], EMPTY_POLICY)[0]!.verdict).toBe('weak');
    expect(
      trustReport([bucket(POOL.replace('/*', '/attribute.repository/acme/api'))], [], EMPTY_POLICY)[0]!
        .verdict,
    ).toBe('ok');
  });
});

describe('trustsFromChanges', () => {
  const change = (partial: Partial<StoredTrustChange>): StoredTrustChange => ({
    cloud: 'aws',
    principal: DEPLOY,
    resource: DEPLOY,
    action: 'UpdateAssumeRolePolicy',
    trust: null,
    grants: null,
    ...partial,
  });

  it("keeps a role's last trust, applies a provider update's mask, drops deleted providers and removed grants", () => {
    const scanned = trustsFromChanges([
      change({ action: 'CreateRole', trust: [{ issuer: GITHUB, subjects: ['repo:acme/api:*'] }] }),
      change({ trust: [{ issuer: GITHUB, subjects: ['repo:acme/*'] }] }),
      change({
        cloud: 'gcp',
        principal: POOL,
        resource: PROVIDER,
        action: 'CreateWorkloadIdentityPoolProvider',
        trust: [
          {
            issuer: GITHUB,
            audiences: null,
            subjects: null,
            condition: "assertion.repository_owner == 'acme'",
          },
        ],
      }),
      change({
        cloud: 'gcp',
        principal: POOL,
        resource: PROVIDER,
        action: 'UpdateWorkloadIdentityPoolProvider',
        trust: [
          { issuer: null, audiences: null, subjects: null, condition: null, updated: ['attributeCondition'] },
        ],
      }),
      change({
        cloud: 'gcp',
        principal: POOL,
        resource: `${PROVIDER}-old`,
        action: 'CreateWorkloadIdentityPoolProvider',
        trust: [{ issuer: GITHUB, condition: 'true' }],
      }),
      change({
        cloud: 'gcp',
        principal: POOL,
        resource: `${PROVIDER}-old`,
        action: 'DeleteWorkloadIdentityPoolProvider',
        trust: [],
      }),
      change({
        cloud: 'gcp',
        principal: 'deployer@acme-prod.iam.gserviceaccount.com',
        resource: 'deployer@acme-prod.iam.gserviceaccount.com',
        action: 'SetIamPolicy',
        grants: [
          { action: 'ADD', role: 'roles/iam.workloadIdentityUser', member: POOL },
          { action: 'ADD', role: 'roles/iam.workloadIdentityUser', member: 'user:alice@acme.example' },
        ],
      }),
      change({
        cloud: 'gcp',
        principal: POOL,
        resource: 'acme-prod-assets',
        action: 'storage.setIamPermissions',
        grants: [{ action: 'ADD', role: 'roles/storage.objectViewer', member: POOL }],
      }),
      change({
        cloud: 'gcp',
        principal: POOL,
        resource: 'acme-prod-assets',
        action: 'storage.setIamPermissions',
        grants: [{ action: 'REMOVE', role: 'roles/storage.objectViewer', member: POOL }],
      }),
    ]);
    expect(scanned).toEqual([
      expect.objectContaining({
        kind: 'role',
        principal: DEPLOY,
        trusts: [{ issuer: GITHUB, subjects: ['repo:acme/*'] }],
      }),
      expect.objectContaining({
        kind: 'pool',
        principal: POOL,
        trusts: [{ issuer: GITHUB, audiences: null, subjects: null, condition: null }],
      }),
      expect.objectContaining({
        kind: 'service-account',
        principal: 'deployer@acme-prod.iam.gserviceaccount.com',
        grants: [{ role: 'roles/iam.workloadIdentityUser', member: POOL, condition: null }],
      }),
    ]);
  });
});
