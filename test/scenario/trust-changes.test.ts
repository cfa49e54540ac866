import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    // The GitHub role with no sub condition and the gitlab.com provider without a condition; the
    // scoped role, the denied update, the OIDC provider and the owner-scoped provider are not weak.
    expect(weak.map((alert) => alert.principal).sort()).toEqual([
      (AWS[0] as { responseElements: { role: { arn: string } } }).responseElements.role.arn,
      'projects/acme-wif-prod/locations/global/workloadIdentityPools/ci/providers/gitlab',
    ]);

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
