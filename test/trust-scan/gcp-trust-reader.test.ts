import fc from 'fast-check';
import { GcpTrustReadError, readGcpTrusts } from '../../shared/adapters/trust-scan/gcp-trust-reader.js';
import {
  type FakeGcpIamServer,
  type FakeGcpIamState,
  type FakeGcpPool,
  gcpError,
  startFakeGcpIam,
} from '../helpers/fake-gcp-iam.js';

const NUMBER = '123456789012';
const POOLS = `projects/${NUMBER}/locations/global/workloadIdentityPools`;
const GITHUB_SET = `principalSet://iam.googleapis.com/${POOLS}/github/*`;
const API_REPO_SET = `principalSet://iam.googleapis.com/${POOLS}/github/attribute.repository/acme/api`;
const MAIN_SUBJECT = `principal://iam.googleapis.com/${POOLS}/github/subject/repo:acme/api:ref:refs/heads/main`;
const DEPLOYER = 'deployer@acme-prod.iam.gserviceaccount.com';
const READER = 'reader@acme-prod.iam.gserviceaccount.com';
const LOCKED = 'locked@acme-prod.iam.gserviceaccount.com';

const GITHUB_PROVIDER = {
  name: `${POOLS}/github/providers/github-actions`,
  displayName: 'GitHub Actions',
  state: 'ACTIVE',
  disabled: false,
  attributeMapping: {
    'google.subject': 'assertion.sub',
    'attribute.repository': 'assertion.repository',
    'attribute.repository_owner': 'assertion.repository_owner',
  },
  attributeCondition: "assertion.repository_owner == 'acme'",
  oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
};

function state(): FakeGcpIamState {
  return {
    pageSize: 2,
    projects: {
      'acme-prod': {
        number: NUMBER,
        pools: [
          {
            pool: { name: `${POOLS}/github`, state: 'ACTIVE', disabled: false },
            providers: [
              GITHUB_PROVIDER,
              { ...GITHUB_PROVIDER, name: `${POOLS}/github/providers/old`, state: 'DELETED' },
              { ...GITHUB_PROVIDER, name: `${POOLS}/github/providers/paused`, disabled: true },
            ],
          },
          {
            pool: { name: `${POOLS}/retired`, state: 'DELETED', expireTime: '2026-12-30T00:00:00Z' },
            providers: [GITHUB_PROVIDER],
          },
          {
            // A name carrying the project id: the number is read from Resource Manager.
            pool: {
              name: 'projects/acme-prod/locations/global/workloadIdentityPools/gitlab',
              state: 'ACTIVE',
            },
            providers: [
              {
                name: 'projects/acme-prod/locations/global/workloadIdentityPools/gitlab/providers/gitlab',
                state: 'ACTIVE',
                attributeMapping: { 'google.subject': 'assertion.sub' },
                oidc: { issuerUri: 'https://gitlab.com', allowedAudiences: ['https://gitlab.com'] },
              },
            ],
          },
        ],
        serviceAccounts: {
          [DEPLOYER]: {
            version: 3,
            etag: 'BwX1',
            bindings: [
              { role: 'roles/iam.workloadIdentityUser', members: [GITHUB_SET, 'user:kim@acme.example'] },
              {
                role: 'roles/iam.serviceAccountTokenCreator',
                members: [MAIN_SUBJECT],
                condition: {
                  title: 'until 2027',
                  expression: 'request.time < timestamp("2027-01-01T00:00:00Z")',
                },
              },
              { role: 'roles/iam.serviceAccountUser', members: [API_REPO_SET] },
            ],
          },
          [READER]: {
            version: 1,
            bindings: [{ role: 'roles/iam.serviceAccountUser', members: ['user:kim@acme.example'] }],
          },
          [LOCKED]: gcpError(
            403,
            'PERMISSION_DENIED',
            "Permission 'iam.serviceAccounts.getIamPolicy' denied",
          ),
        },
        policy: {
          version: 3,
          bindings: [
            { role: 'roles/owner', members: ['user:kim@acme.example'] },
            { role: 'roles/storage.objectViewer', members: [API_REPO_SET, 'group:data@acme.example'] },
            { role: 'roles/storage.admin', members: ['principalSet://goog/public:all'] },
            { role: 'roles/iam.workloadIdentityUser', members: [GITHUB_SET] },
          ],
        },
        buckets: {
          'acme-artifacts': {
            kind: 'storage#policy',
            resourceId: 'projects/_/buckets/acme-artifacts',
            version: 3,
            bindings: [
              { role: 'roles/storage.objectAdmin', members: [MAIN_SUBJECT] },
              { role: 'roles/storage.legacyBucketOwner', members: ['projectOwner:acme-prod'] },
            ],
          },
          'acme-logs': {
            version: 1,
            bindings: [{ role: 'roles/storage.objectViewer', members: ['user:kim@acme.example'] }],
          },
          'acme-tmp': { version: 1, bindings: [] },
        },
      },
      'acme-data': {
        number: '987654321098',
        pools: [],
        serviceAccounts: {},
        policy: { version: 1, bindings: [] },
        buckets: gcpError(
          403,
          'PERMISSION_DENIED',
          'caller does not have storage.buckets.list access to the Google Cloud project.',
        ),
      },
    },
  };
}

const EXPECTED_PRINCIPALS = [
  {
    cloud: 'gcp',
    kind: 'pool',
    principal: `principalSet://iam.googleapis.com/${POOLS}/github/*`,
    trusts: [
      {
        issuer: 'https://token.actions.githubusercontent.com',
        audiences: null,
        subjects: null,
        condition: "assertion.repository_owner == 'acme'",
        mapping: GITHUB_PROVIDER.attributeMapping,
      },
    ],
    grants: [],
    source: `${POOLS}/github`,
  },
  {
    cloud: 'gcp',
    kind: 'pool',
    principal: `principalSet://iam.googleapis.com/${POOLS}/gitlab/*`,
    trusts: [
      {
        issuer: 'https://gitlab.com',
        audiences: ['https://gitlab.com'],
        subjects: null,
        condition: null,
        mapping: { 'google.subject': 'assertion.sub' },
      },
    ],
    grants: [],
    source: 'projects/acme-prod/locations/global/workloadIdentityPools/gitlab',
  },
  {
    cloud: 'gcp',
    kind: 'service-account',
    principal: DEPLOYER,
    trusts: [],
    grants: [
      { role: 'roles/iam.workloadIdentityUser', member: GITHUB_SET, condition: null },
      {
        role: 'roles/iam.serviceAccountTokenCreator',
        member: MAIN_SUBJECT,
        condition: 'request.time < timestamp("2027-01-01T00:00:00Z")',
      },
    ],
    source: `projects/acme-prod/serviceAccounts/${DEPLOYER}`,
  },
  {
    cloud: 'gcp',
    kind: 'project',
    principal: 'projects/acme-prod',
    trusts: [],
    grants: [
      { role: 'roles/storage.objectViewer', member: API_REPO_SET, condition: null },
      { role: 'roles/iam.workloadIdentityUser', member: GITHUB_SET, condition: null },
    ],
    source: 'projects/acme-prod',
  },
  {
    cloud: 'gcp',
    kind: 'bucket',
    principal: 'gs://acme-artifacts',
    trusts: [],
    grants: [{ role: 'roles/storage.objectAdmin', member: MAIN_SUBJECT, condition: null }],
    source: 'projects/_/buckets/acme-artifacts',
  },
];

const EXPECTED_PROBLEMS = [
  {
    cloud: 'gcp',
    scope: `projects/acme-prod/serviceAccounts/${LOCKED}`,
    message: "HTTP 403 PERMISSION_DENIED: Permission 'iam.serviceAccounts.getIamPolicy' denied",
  },
  {
    cloud: 'gcp',
    scope: 'projects/acme-data buckets',
    message:
      'HTTP 403 PERMISSION_DENIED: caller does not have storage.buckets.list access to the Google Cloud project.',
  },
];

const NO_RETRY_WAIT = { retry: { attempts: 2, baseDelayMs: 0, maxDelayMs: 0 }, sleep: async () => {} };

describe('readGcpTrusts against stand-in Google APIs', () => {
  let fake: FakeGcpIamServer;

  beforeEach(async () => {
    fake = await startFakeGcpIam(state());
  });

  afterEach(async () => {
    await fake.close();
  });

  it('reads pools, service accounts, the project and its buckets; a denied read is a problem and the rest is returned', async () => {
    const scan = await readGcpTrusts({ projects: ['acme-prod', 'acme-data'], endpoint: fake.url });

    expect(scan.principals).toEqual(EXPECTED_PRINCIPALS);
    expect(scan.problems).toEqual(EXPECTED_PROBLEMS);
  }, 20_000);

  it('sends exactly the reads below, every page of each list, and no credentials to the stand-in', async () => {
    await readGcpTrusts({ projects: ['acme-prod', 'acme-data'], endpoint: fake.url });

    const iam = '/v1/projects/acme-prod';
    const pools = `${iam}/locations/global/workloadIdentityPools`;
    const policyOptions = { 'options.requestedPolicyVersion': '3' };
    const getIamPolicyBody = JSON.stringify({ options: { requestedPolicyVersion: 3 } });
    const sent = fake.requests.map(({ method, path, query, body }) => ({ method, path, query, body }));
    const line = (request: object) => JSON.stringify(request);
    expect([...sent].sort((a, b) => line(a).localeCompare(line(b)))).toEqual(
      [
        { method: 'GET', path: pools, query: {}, body: '' },
        { method: 'GET', path: pools, query: { pageToken: 'page-2' }, body: '' },
        { method: 'GET', path: `${pools}/github/providers`, query: {}, body: '' },
        { method: 'GET', path: `${pools}/github/providers`, query: { pageToken: 'page-2' }, body: '' },
        { method: 'GET', path: `${pools}/gitlab/providers`, query: {}, body: '' },
        { method: 'GET', path: '/v3/projects/acme-prod', query: {}, body: '' },
        { method: 'GET', path: `${iam}/serviceAccounts`, query: {}, body: '' },
        { method: 'GET', path: `${iam}/serviceAccounts`, query: { pageToken: 'page-2' }, body: '' },
        // serviceAccounts.getIamPolicy takes its options in the query, with an empty body.
        {
          method: 'POST',
          path: `${iam}/serviceAccounts/${encodeURIComponent(DEPLOYER)}:getIamPolicy`,
          query: policyOptions,
          body: '',
        },
        {
          method: 'POST',
          path: `${iam}/serviceAccounts/${encodeURIComponent(READER)}:getIamPolicy`,
          query: policyOptions,
          body: '',
        },
        {
          method: 'POST',
          path: `${iam}/serviceAccounts/${encodeURIComponent(LOCKED)}:getIamPolicy`,
          query: policyOptions,
          body: '',
        },
        { method: 'POST', path: '/v3/projects/acme-prod:getIamPolicy', query: {}, body: getIamPolicyBody },
        { method: 'GET', path: '/storage/v1/b', query: { project: 'acme-prod' }, body: '' },
        {
          method: 'GET',
          path: '/storage/v1/b',
          query: { project: 'acme-prod', pageToken: 'page-2' },
          body: '',
        },
        ...['acme-artifacts', 'acme-logs', 'acme-tmp'].map((bucket) => ({
          method: 'GET',
          path: `/storage/v1/b/${bucket}/iam`,
          query: { optionsRequestedPolicyVersion: '3' },
          body: '',
        })),
        {
          method: 'GET',
          path: '/v1/projects/acme-data/locations/global/workloadIdentityPools',
          query: {},
          body: '',
        },
        { method: 'GET', path: '/v1/projects/acme-data/serviceAccounts', query: {}, body: '' },
        { method: 'POST', path: '/v3/projects/acme-data:getIamPolicy', query: {}, body: getIamPolicyBody },
        { method: 'GET', path: '/storage/v1/b', query: { project: 'acme-data' }, body: '' },
      ].sort((a, b) => line(a).localeCompare(line(b))),
    );
    for (const request of fake.requests) {
      expect(request.headers.authorization).toBeUndefined();
      if (request.method === 'POST')
        expect(request.headers['content-length']).toBe(String(request.body.length));
      expect(request.headers.accept).toBe('application/json');
    }
    // Neither the deleted pool's providers nor the deleted or disabled providers are read further.
    expect(fake.requests.some((request) => request.path.includes('/retired'))).toBe(false);
  }, 20_000);

  it('sends the access token given, even to a stand-in', async () => {
    let calls = 0;
    await readGcpTrusts({
      projects: ['acme-data'],
      endpoint: fake.url,
      accessToken: async () => `token-${++calls}`,
    });
    expect(fake.requests.map((request) => request.headers.authorization).sort()).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-3',
      'Bearer token-4',
    ]);
  }, 20_000);

  it('reports a project it cannot see at all, one problem per read, without throwing', async () => {
    const scan = await readGcpTrusts({ projects: ['nope'], endpoint: fake.url });
    expect(scan.principals).toEqual([]);
    expect(scan.problems.map((problem) => problem.scope)).toEqual([
      'projects/nope workloadIdentityPools',
      'projects/nope serviceAccounts',
      'projects/nope',
      'projects/nope buckets',
    ]);
    expect(scan.problems[0]?.message).toBe('HTTP 404 NOT_FOUND: project nope not found');
  }, 20_000);

  it('leaves out a pool whose providers cannot be read, and one whose project number cannot', async () => {
    const base = state();
    const prod = base.projects['acme-prod']!;
    const pools = prod.pools as readonly FakeGcpPool[];
    fake.state = {
      ...base,
      projects: {
        'acme-prod': {
          ...prod,
          getError: gcpError(403, 'PERMISSION_DENIED', 'resourcemanager.projects.get denied'),
          pools: [
            { ...pools[0]!, providers: gcpError(403, 'PERMISSION_DENIED', 'providers.list denied') },
            pools[1]!,
            pools[2]!,
          ],
        },
      },
    };
    const scan = await readGcpTrusts({ projects: ['acme-prod'], endpoint: fake.url });
    expect(scan.principals.filter((principal) => principal.kind === 'pool')).toEqual([]);
    expect(scan.problems.slice(0, 2)).toEqual([
      {
        cloud: 'gcp',
        scope: `${POOLS}/github providers`,
        message: 'HTTP 403 PERMISSION_DENIED: providers.list denied',
      },
      {
        cloud: 'gcp',
        scope: 'projects/acme-prod',
        message: 'HTTP 403 PERMISSION_DENIED: resourcemanager.projects.get denied',
      },
    ]);
  }, 20_000);

  it('throws, named, when a read keeps failing otherwise than 403/404', async () => {
    fake.state = {
      projects: {
        'acme-data': {
          ...state().projects['acme-data']!,
          policy: gcpError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
        },
      },
    };
    const read = readGcpTrusts({ projects: ['acme-data'], endpoint: fake.url, http: NO_RETRY_WAIT });
    await expect(read).rejects.toThrow(GcpTrustReadError);
    await expect(read).rejects.toThrow(
      /^reading projects\/acme-data: Resource Manager projects.getIamPolicy at http:\/\/127\.0\.0\.1:\d+\/v3\/projects\/acme-data:getIamPolicy: HTTP 503: The service is currently unavailable\. \(gave up after 2 attempts\)$/,
    );
    expect(
      fake.requests.filter((request) => request.path === '/v3/projects/acme-data:getIamPolicy'),
    ).toHaveLength(2);
  }, 20_000);

  it('gives the same scan however the lists are split into pages', async () => {
    fake.state = { ...state(), pageSize: undefined };
    const whole = await readGcpTrusts({ projects: ['acme-prod', 'acme-data'], endpoint: fake.url });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        async (pageSize, concurrency) => {
          fake.state = { ...state(), pageSize };
          const paged = await readGcpTrusts({
            projects: ['acme-prod', 'acme-data'],
            endpoint: fake.url,
            concurrency,
          });
          expect(paged).toEqual(whole);
        },
      ),
      { numRuns: 20 },
    );
  }, 60_000);
});

describe('readGcpTrusts with Application Default Credentials', () => {
  const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;

  afterEach(() => {
    if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
  });

  it('fails, saying how to log in, when there are none, before sending anything', async () => {
    process.env.GOOGLE_APPLICATION_CREDENTIALS = '/nonexistent/tokentrail-adc.json';
    await expect(readGcpTrusts({ projects: ['acme-prod'] })).rejects.toThrow(
      /^no Google access token \(.*\): run gcloud auth application-default login/,
    );
  }, 20_000);
});
