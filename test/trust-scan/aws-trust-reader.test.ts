import fc from 'fast-check';
import { AwsTrustReadError, readAwsTrusts } from '../../shared/adapters/trust-scan/aws-trust-reader.js';
import { type FakeIamRole, type FakeIamServer, iamError, startFakeIam } from '../helpers/fake-aws-iam.js';

const ACCOUNT = '123456789012';
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const GITLAB = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`;

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function webIdentity(provider: string, condition?: object): object {
  return {
    Effect: 'Allow',
    Principal: { Federated: provider },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition ? { Condition: condition } : {}),
  };
}

const DEPLOY_CONDITION = {
  StringEquals: {
    'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
    'token.actions.githubusercontent.com:sub': 'repo:acme/api:ref:refs/heads/main',
  },
};

const ROLES: FakeIamRole[] = [
  {
    RoleName: 'deploy',
    Arn: `arn:aws:iam::${ACCOUNT}:role/deploy`,
    // IAM returns trust policies URL-encoded.
    AssumeRolePolicyDocument: encodeURIComponent(policy(webIdentity(GITHUB, DEPLOY_CONDITION))),
  },
  {
    RoleName: 'ec2-worker',
    Arn: `arn:aws:iam::${ACCOUNT}:role/ec2-worker`,
    AssumeRolePolicyDocument: encodeURIComponent(
      policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ),
  },
  {
    RoleName: 'ci-both',
    Arn: `arn:aws:iam::${ACCOUNT}:role/ci-both`,
    AssumeRolePolicyDocument: encodeURIComponent(
      policy(
        webIdentity(GITHUB, {
          StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' },
        }),
        webIdentity(GITLAB, {
          StringEquals: { 'gitlab.com:aud': 'https://gitlab.com' },
          StringLike: { 'gitlab.com:sub': 'project_path:acme/web:*' },
        }),
      ),
    ),
  },
  {
    RoleName: 'no-audience',
    Arn: `arn:aws:iam::${ACCOUNT}:role/no-audience`,
    // Not encoded: both forms are read.
    AssumeRolePolicyDocument: policy(
      webIdentity(GITHUB, { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/api:*' } }),
    ),
  },
];

const PROVIDERS = [
  { Arn: GITHUB, Url: 'token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'] },
  { Arn: GITLAB, Url: 'gitlab.com', ClientIDList: ['https://gitlab.com', 'other-client'] },
];

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const EXPECTED_PRINCIPALS = [
  {
    cloud: 'aws',
    kind: 'role',
    principal: role('deploy'),
    trusts: [
      {
        issuer: 'https://token.actions.githubusercontent.com',
        audiences: ['sts.amazonaws.com'],
        subjects: ['repo:acme/api:ref:refs/heads/main'],
        condition: JSON.stringify(DEPLOY_CONDITION),
      },
    ],
    grants: [],
    source: role('deploy'),
  },
  {
    cloud: 'aws',
    kind: 'role',
    principal: role('ci-both'),
    trusts: [
      expect.objectContaining({
        issuer: 'https://token.actions.githubusercontent.com',
        audiences: null,
        subjects: ['repo:acme/*'],
      }),
      expect.objectContaining({
        issuer: 'https://gitlab.com',
        audiences: ['https://gitlab.com'],
        subjects: ['project_path:acme/web:*'],
      }),
    ],
    grants: [],
    source: role('ci-both'),
  },
  {
    cloud: 'aws',
    kind: 'role',
    principal: role('no-audience'),
    trusts: [
      expect.objectContaining({
        issuer: 'https://token.actions.githubusercontent.com',
        audiences: null,
        subjects: ['repo:acme/api:*'],
      }),
    ],
    grants: [],
    source: role('no-audience'),
  },
];

describe('readAwsTrusts against a stand-in IAM', () => {
  let fake: FakeIamServer;

  beforeEach(async () => {
    fake = await startFakeIam({ roles: ROLES, pageSize: 2, providers: PROVIDERS });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('reads every page of roles and keeps those with an OIDC trust, with the providers their client IDs', async () => {
    const scan = await readAwsTrusts({ endpoint: fake.url });

    expect(scan.principals).toEqual(EXPECTED_PRINCIPALS);
    expect(scan.providers).toEqual([
      { arn: GITHUB, url: 'token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] },
      { arn: GITLAB, url: 'gitlab.com', clientIds: ['https://gitlab.com', 'other-client'] },
    ]);
    expect(scan.problems).toEqual([]);
  }, 20_000);

  it('sends only the read-only actions, signed for IAM, with the placeholder key at a stand-in', async () => {
    await readAwsTrusts({ endpoint: fake.url });

    expect(fake.requests.map((request) => request.params)).toEqual([
      { Action: 'ListRoles', Version: '2010-05-08' },
      { Action: 'ListRoles', Version: '2010-05-08', Marker: 'page-2' },
      { Action: 'ListOpenIDConnectProviders', Version: '2010-05-08' },
      { Action: 'GetOpenIDConnectProvider', Version: '2010-05-08', OpenIDConnectProviderArn: GITHUB },
      { Action: 'GetOpenIDConnectProvider', Version: '2010-05-08', OpenIDConnectProviderArn: GITLAB },
    ]);
    for (const request of fake.requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/');
      expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=tokentrail-local\/\d{8}\/us-east-1\/iam\/aws4_request, SignedHeaders=[^ ]+, Signature=[0-9a-f]{64}$/,
      );
    }
  }, 20_000);

  it('signs with the credentials given', async () => {
    await readAwsTrusts({
      endpoint: fake.url,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
    });
    expect(fake.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    expect(fake.requests[0]?.headers['x-amz-security-token']).toBe('session');
  }, 20_000);

  it('reports a denied ListRoles as a problem and still reads the providers', async () => {
    fake.state = {
      ...fake.state,
      listRolesError: iamError(
        'AccessDenied',
        403,
        `User: arn:aws:iam::${ACCOUNT}:user/auditor is not authorized to perform: iam:ListRoles`,
      ),
    };
    const scan = await readAwsTrusts({ endpoint: fake.url });

    expect(scan.principals).toEqual([]);
    expect(scan.providers).toHaveLength(2);
    expect(scan.problems).toEqual([
      {
        cloud: 'aws',
        scope: 'iam:ListRoles',
        message: `AccessDenied: User: arn:aws:iam::${ACCOUNT}:user/auditor is not authorized to perform: iam:ListRoles`,
      },
    ]);
  }, 20_000);

  it('keeps the roles of the pages read before a denial, and names a denied provider read', async () => {
    fake.state = {
      ...fake.state,
      listRolesError: { ...iamError('AccessDenied', 403, 'not authorized'), afterPages: 1 },
      providerErrors: { [GITLAB]: iamError('AccessDenied', 403, 'not authorized') },
    };
    const scan = await readAwsTrusts({ endpoint: fake.url });

    expect(scan.principals.map((principal) => principal.principal)).toEqual([role('deploy')]);
    expect(scan.providers.map((provider) => provider.arn)).toEqual([GITHUB]);
    expect(scan.problems).toEqual([
      { cloud: 'aws', scope: 'iam:ListRoles', message: 'AccessDenied: not authorized' },
      {
        cloud: 'aws',
        scope: `iam:GetOpenIDConnectProvider ${GITLAB}`,
        message: 'AccessDenied: not authorized',
      },
    ]);
  }, 20_000);

  it('reports a trust policy that does not parse', async () => {
    fake.state = {
      ...fake.state,
      roles: [{ RoleName: 'broken', Arn: role('broken'), AssumeRolePolicyDocument: '%7B%22Version' }],
    };
    const scan = await readAwsTrusts({ endpoint: fake.url });
    expect(scan.principals).toEqual([]);
    expect(scan.problems).toEqual([
      { cloud: 'aws', scope: role('broken'), message: 'trust policy does not parse' },
    ]);
  }, 20_000);

  it('throws, named, on a failure that is not a denial once the SDK has retried', async () => {
    fake.state = { ...fake.state, listRolesError: iamError('ServiceFailure', 500, 'internal error') };
    const read = readAwsTrusts({ endpoint: fake.url, maxAttempts: 2 });

    await expect(read).rejects.toThrow(AwsTrustReadError);
    await expect(read).rejects.toThrow(/^AWS IAM iam:ListRoles failed: ServiceFailure.*internal error/);
    expect(fake.requests.map((request) => request.params.Action)).toEqual(['ListRoles', 'ListRoles']);
  }, 20_000);

  it('gives the same principals however ListRoles splits the roles into pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(ROLES, { minLength: 0 }),
        fc.integer({ min: 1, max: 5 }),
        async (roles, pageSize) => {
          fake.state = { roles, providers: [] };
          const whole = await readAwsTrusts({ endpoint: fake.url });
          fake.state = { roles, pageSize, providers: [] };
          const paged = await readAwsTrusts({ endpoint: fake.url });
          expect(paged).toEqual(whole);
          expect(paged.principals.map((principal) => principal.principal)).toEqual(
            roles
              .filter((candidate) => candidate.RoleName !== 'ec2-worker')
              .map((candidate) => candidate.Arn),
          );
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);
});
