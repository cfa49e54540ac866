import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_POLICY } from '../../shared/core/detect/policy.js';
import { wholePoolGrant } from '../../shared/core/detect/rules/whole-pool-grant/whole-pool-grant.js';
import type { JsonObject } from '../../shared/core/json-access.js';
import { normalizeRecord } from '../../shared/core/normalize/normalize-record.js';
import type { Row } from '../../shared/core/schema/row.js';
import { runCli } from '../helpers/cli-harness.js';

/**
 * Project and bucket policy changes that grant storage (or, on a project, impersonation) roles
 * straight to federated members, beside a service account's whole-pool grant: the normalizers' own
 * fixture records and three variants of them, as Log Router NDJSON, through normalize and detect.
 */
const FIXTURES = join(__dirname, '..', '..', 'shared', 'core', 'normalize', 'fixtures');
const POOL = 'projects/123456789012/locations/global/workloadIdentityPools/github';
const WHOLE_POOL = `principalSet://iam.googleapis.com/${POOL}/*`;

function record(folder: string, name: string): JsonObject {
  return (JSON.parse(readFileSync(join(FIXTURES, folder, `${name}.json`), 'utf8')) as { record: JsonObject })
    .record;
}

/** A fixture record with another insertId and time, and its logged deltas replaced. */
function variant(
  folder: string,
  name: string,
  insertId: string,
  timestamp: string,
  deltas: { action: string; role: string; member: string }[],
  resourceName?: string,
): JsonObject {
  const entry = structuredClone(record(folder, name));
  const payload = entry.protoPayload as JsonObject;
  (payload.serviceData as JsonObject).policyDelta = { bindingDeltas: deltas };
  if (resourceName) payload.resourceName = resourceName;
  return { ...entry, insertId, timestamp };
}

const DIRECT = 'gcp-direct-federated-grant';
const ENTRIES: JsonObject[] = [
  record(DIRECT, 'bucket-grant-attribute-repository'),
  record(DIRECT, 'project-whole-pool-object-admin'),
  record(DIRECT, 'project-impersonation-role-federated-caller'),
  record(DIRECT, 'bucket-remove-whole-pool'),
  record(DIRECT, 'project-permission-denied'),
  record(DIRECT, 'project-user-only-skipped'),
  record(DIRECT, 'bucket-service-account-only-skipped'),
  // A whole pool reads another bucket.
  variant(
    DIRECT,
    'bucket-grant-attribute-repository',
    'v1bucketpool',
    '2026-11-24T12:00:00.000000Z',
    [{ action: 'ADD', role: 'roles/storage.objectViewer', member: WHOLE_POOL }],
    'projects/_/buckets/acme-build-cache',
  ),
  // A whole pool may mint tokens for every service account in the project.
  variant(DIRECT, 'project-whole-pool-object-admin', 'v2projecttc', '2026-11-25T12:00:00.000000Z', [
    { action: 'ADD', role: 'roles/iam.serviceAccountTokenCreator', member: WHOLE_POOL },
    { action: 'ADD', role: 'roles/editor', member: 'user:frank@acme.example' },
  ]),
  // The service-account grant already normalized, for comparison.
  record('gcp-iam-set-iam-policy', 'whole-pool-grant'),
];

const EXPECTED_FINDINGS = [
  {
    title: 'A whole workload identity pool was granted roles/storage.objectAdmin on projects/acme-data-prod',
    principal: 'projects/acme-data-prod',
    resource: 'projects/acme-data-prod',
  },
  {
    title: 'A whole workload identity pool was granted roles/storage.objectViewer on gs://acme-build-cache',
    principal: 'gs://acme-build-cache',
    resource: 'gs://acme-build-cache',
  },
  {
    title:
      'A whole workload identity pool was granted roles/iam.serviceAccountTokenCreator on projects/acme-data-prod',
    principal: 'projects/acme-data-prod',
    resource: 'projects/acme-data-prod',
  },
  {
    title:
      'A whole workload identity pool was granted roles/iam.workloadIdentityUser on deployer@acme-wif-prod.iam.gserviceaccount.com',
    principal: 'deployer@acme-wif-prod.iam.gserviceaccount.com',
    resource: 'deployer@acme-wif-prod.iam.gserviceaccount.com',
  },
].map((finding) => ({ ...finding, subject: WHOLE_POOL, identity_provider: POOL }));

describe('direct federated grants through normalize and whole-pool-grant', () => {
  const outcomes = ENTRIES.map((value) =>
    normalizeRecord({ format: 'logentry', value: structuredClone(value) }),
  );
  const rows = outcomes.flatMap((outcome) => (outcome.type === 'row' ? [outcome.row] : []));

  it('makes a trust_change row of every federated grant and skips the others', () => {
    expect(outcomes.map((outcome) => (outcome.type === 'row' ? outcome.kind : outcome.type))).toEqual([
      'gcp.iam.DirectFederatedGrant',
      'gcp.iam.DirectFederatedGrant',
      'gcp.iam.DirectFederatedGrant',
      'gcp.iam.DirectFederatedGrant',
      'gcp.iam.DirectFederatedGrant',
      'skip',
      'skip',
      'gcp.iam.DirectFederatedGrant',
      'gcp.iam.DirectFederatedGrant',
      'gcp.iam.SetIamPolicy',
    ]);
    expect(rows.map((row) => [row.category, row.outcome, row.principal, row.resource])).toEqual([
      [
        'trust_change',
        'success',
        `principalSet://iam.googleapis.com/${POOL}/attribute.repository/acme/api`,
        'gs://acme-releases',
      ],
      ['trust_change', 'success', WHOLE_POOL, 'projects/acme-data-prod'],
      [
        'trust_change',
        'success',
        `principal://iam.googleapis.com/${POOL}/subject/repo:acme/infra:ref:refs/heads/main`,
        'projects/acme-data-prod',
      ],
      ['trust_change', 'success', WHOLE_POOL, 'gs://acme-releases'],
      [
        'trust_change',
        'failure',
        `principal://iam.googleapis.com/${POOL}/subject/repo:acme/infra:ref:refs/heads/main`,
        'projects/acme-data-prod',
      ],
      ['trust_change', 'success', WHOLE_POOL, 'gs://acme-build-cache'],
      ['trust_change', 'success', WHOLE_POOL, 'projects/acme-data-prod'],
      [
        'trust_change',
        'success',
        'deployer@acme-wif-prod.iam.gserviceaccount.com',
        'deployer@acme-wif-prod.iam.gserviceaccount.com',
      ],
    ]);
    // The user's roles/editor beside the token creator is not kept.
    expect(rows[6]!.binding_deltas).toEqual([
      { action: 'ADD', role: 'roles/iam.serviceAccountTokenCreator', member: WHOLE_POOL },
    ]);
  });

  it('raises exactly one whole-pool-grant finding per whole pool added with a reaching role', () => {
    const findings = wholePoolGrant.evaluate(rows as Row[], {
      policy: EMPTY_POLICY,
      baseline: {
        principalSubjects: new Set(),
        subjectBuckets: new Set(),
        historyStart: null,
        windowStart: '2026-11-01T00:00:00.000000Z',
      },
    });
    expect(
      findings.map(({ title, principal, subject, identity_provider, resource }) => ({
        title,
        principal,
        subject,
        identity_provider,
        resource,
      })),
    ).toEqual(EXPECTED_FINDINGS);
  });
});

describe('direct federated grants through the CLI', () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'tokentrail-direct-grants-'));
    writeFileSync(
      join(directory, 'gcp.ndjson'),
      `${ENTRIES.map((entry) => JSON.stringify(entry)).join('\n')}\n`,
    );
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('stores the rows and raises one whole-pool-grant alert per finding', async () => {
    const store = join(directory, 'store.duckdb');
    const result = await runCli(
      ['detect', '--store', store, '--since', '3000d', '--no-progress', directory],
      {
        now: new Date('2026-12-05T00:00:00Z'),
      },
    );
    expect(result.code).toBe(0);
    const alerts = result.rows.filter((alert) => alert.rule === 'whole-pool-grant');
    expect(
      alerts
        .map(({ title, principal, subject, resource, count }) => ({
          title,
          principal,
          subject,
          resource,
          count,
        }))
        .sort((a, b) => String(a.title).localeCompare(String(b.title))),
    ).toEqual(
      EXPECTED_FINDINGS.map(({ title, principal, subject, resource }) => ({
        title,
        principal,
        subject,
        resource,
        count: 1,
      })).sort((a, b) => a.title.localeCompare(b.title)),
    );

    const stored = await runCli([
      'query',
      'sql',
      '--store',
      store,
      '--json',
      "SELECT source, count(*) AS n FROM events WHERE category = 'trust_change' GROUP BY source ORDER BY source",
    ]);
    expect(stored.code).toBe(0);
    expect(stored.rows.map((row) => [row.source, Number(row.n)])).toEqual([
      ['cloudresourcemanager.googleapis.com', 4],
      ['iam.googleapis.com', 1],
      ['storage.googleapis.com', 3],
    ]);
  });
});
