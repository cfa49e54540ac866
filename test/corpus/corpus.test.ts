import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REJECT_CODES } from '../../shared/core/errors.js';
import type { AuditRecord } from '../../shared/core/normalize/audit-record.js';
import { normalizeRecord } from '../../shared/core/normalize/normalize-record.js';
import type { Row } from '../../shared/core/schema/row.js';
import { rowProblems } from '../../shared/core/schema/validate-row.js';
import { decodeBytes, decodeStream } from '../../shared/sources/decode-stream.js';
import { decodeValue } from '../../shared/sources/decode-value.js';
import type { DecodedItem } from '../../shared/sources/decoded-item.js';

/**
 * The real public samples beside the project (../shared/corpus, see its PROVENANCE.md). They are
 * read, never copied: the suite is skipped where the folder is absent.
 */
const CORPUS = resolve(__dirname, '../../../shared/corpus');
const present = existsSync(CORPUS);
const files = present
  ? readdirSync(CORPUS)
      .filter((f) => f !== 'PROVENANCE.md')
      .sort()
  : [];
const read = (file: string) => readFileSync(join(CORPUS, file));

function outcome(item: DecodedItem): string {
  if (item.type === 'skip') return `skip:${item.reason}`;
  if (item.type === 'reject') return `reject:${item.code}`;
  const result = normalizeRecord(item.record);
  if (result.type === 'row') return `row:${result.row.outcome}`;
  return result.type === 'skip' ? `skip:${result.reason}` : `reject:${result.code}`;
}

function tally(items: DecodedItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[outcome(item)] = (counts[outcome(item)] ?? 0) + 1;
  return counts;
}

// Every sample's fate. Doc samples without eventID / insertId are rejected (missing_id), the four
// `.json.txt` files are invalid JSON as published, Lambda log lines in a CloudWatch payload are not JSON.
const EXPECTED: Record<string, Record<string, number>> = {
  'aws-arwwi-failure-accessdenied-eks-irsa-1.json': { 'row:failure': 1 },
  'aws-arwwi-failure-accessdenied-eks-repost-1.json': { 'reject:missing_id': 1 },
  'aws-arwwi-success-cognito-gha-tags-1.json': { 'row:success': 1 },
  'aws-arwwi-success-docs-googleoidc-2016.json.txt': { 'reject:invalid_json': 1 },
  'aws-arwwi-success-docs-oidc-2024.json': { 'row:success': 1 },
  'aws-arwwi-success-github-cloudsnitch-1.json': { 'row:success': 1 },
  'aws-arwwi-success-github-customaud-jwtex-1.json': { 'reject:missing_id': 1 },
  'aws-arwwi-success-github-datadog-1.json': { 'reject:missing_id': 1 },
  'aws-arwwi-success-github-vstoken-2021-1.json': { 'row:success': 1 },
  'aws-arwwi-success-terraformcloud-1.json': { 'reject:missing_id': 1 },
  'aws-s3-dataevent-copyobject-iamuser-elastic-1.json': { 'row:success': 1 },
  // An EKS pod's IRSA session calling Marketplace RegisterUsage: a use of its minted key.
  'aws-session-webidfed-eks-registerusage-docs-1.json': { 'row:success': 1 },
  'envelope-aws-cwlogs-control-message-vector-1.json': { 'skip:control_message': 1 },
  'envelope-aws-cwlogs-decoded-cloudtrail-docs-1.json': { 'reject:invalid_json': 3 },
  'envelope-aws-cwlogs-lambda-awslogs-1.json': { 'reject:invalid_json': 2, 'reject:unrecognized_record': 1 },
  'envelope-aws-eventbridge-cloudtrail-sts-1.json': { 'skip:not_federation': 1 },
  'envelope-aws-s3-cloudtrail-logfile-1.json': { 'skip:not_federation': 20 },
  'envelope-aws-s3-cloudtrail-logfile-1.json.gz': { 'skip:not_federation': 20 },
  'envelope-gcp-eventarc-auditlog-written-structured-1.json': { 'skip:not_federation': 1 },
  'envelope-gcp-eventarc-gcs-objects-create-cloudrun-log-1.json': { 'skip:not_audit_log': 1 },
  'envelope-gcp-eventarc-logentrydata-pubsubcreatetopic-1.json': { 'skip:not_federation': 1 },
  'envelope-gcp-pubsub-messagepublished-structured-1.json': { 'reject:invalid_json': 1 },
  'envelope-gcp-pubsub-push-duplicatedfields-1.json': { 'reject:invalid_json': 1 },
  'envelope-gcp-pubsub-push-logsink-alloy-1.json': { 'skip:not_audit_log': 1 },
  'gcp-gcs-objects-get-user-panther-1.json': { 'reject:missing_id': 1 },
  'gcp-generateaccesstoken-failure-permissiondenied-stratus-1.json': { 'reject:missing_id': 1 },
  'gcp-generateaccesstoken-success-docs-user-impersonation-1.json': { 'reject:missing_id': 1 },
  'gcp-generateaccesstoken-success-docs-wif-aws-1.json': { 'reject:missing_id': 1 },
  'gcp-generateaccesstoken-success-gke-metadata-panther-1.json': { 'row:success': 1 },
  'gcp-generateaccesstoken-success-stratus-user-1.json.txt': { 'reject:invalid_json': 1 },
  'gcp-generateaccesstoken-success-wif-elastic-1.json': { 'row:success': 1 },
  'gcp-iam-permission-denied-errorinfo-panther-1.json': { 'skip:not_federation': 1 },
  'gcp-impersonated-sa-call-docs-firstparty-pubsub-1.json': { 'skip:not_federation': 1 },
  'gcp-impersonated-sa-call-docs-wif-pubsub-1.json': { 'skip:not_federation': 1 },
  'gcp-storage-buckets-list-docs-workforce-1.json.txt': { 'reject:invalid_json': 1 },
  'gcp-sts-exchangetoken-success-docs-wif-azure-1.json': { 'reject:missing_id': 1 },
  'gcp-sts-exchangetoken-success-docs-workforce-oidc-1.json': { 'reject:missing_id': 1 },
  'gcp-sts-exchangetoken-success-x509-mtls-salrashid-1.json': { 'row:success': 1 },
  'gcp-sts-websignin-failure-attrcondition-docs-workforce-1.json.txt': { 'reject:invalid_json': 1 },
  'gcp-sts-websignin-failure-toomanygroups-docs-workforce-1.json': { 'row:failure': 1 },
};

function onlyRow(file: string, patch: Record<string, unknown> = {}): Row {
  const [item] = decodeBytes(read(file));
  if (item?.type !== 'record') throw new Error(`${file}: expected one record, got ${item?.type}`);
  const record = { ...item.record, value: { ...item.record.value, ...patch } } as AuditRecord;
  const result = normalizeRecord(record);
  if (result.type !== 'row') throw new Error(`${file}: expected a row, got ${JSON.stringify(result)}`);
  expect(rowProblems(result.row)).toEqual([]);
  return result.row;
}

const describeCorpus = present ? describe : describe.skip;

describeCorpus('the public corpus (../shared/corpus)', () => {
  it('has a verdict for every sample, and no sample left without one', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s: every record normalized or rejected with a reason, never a crash', async (file) => {
    const items = decodeBytes(read(file));
    expect(tally(items)).toEqual(EXPECTED[file]);
    for (const item of items) {
      if (item.type === 'reject') {
        expect(REJECT_CODES).toContain(item.code);
        expect(item.message).not.toBe('');
      }
      if (item.type === 'record') {
        const result = normalizeRecord(item.record);
        if (result.type === 'row') expect(rowProblems(result.row)).toEqual([]);
      }
    }
    // Streaming in small chunks decides exactly the same.
    const bytes = read(file);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
    }
    const streamed: DecodedItem[] = [];
    for await (const batch of decodeStream(chunks())) streamed.push(...batch);
    expect(tally(streamed)).toEqual(EXPECTED[file]);
  });

  it('reads what the tricky cases of events.md say', () => {
    const github = onlyRow('aws-arwwi-success-github-cloudsnitch-1.json');
    expect(github).toMatchObject({
      subject: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
      audience: 'sts.amazonaws.com',
      credential_id: 'ASIA3ISBVQKHJOCMRQJH',
      credential_expiration: '2025-04-16T03:46:56.000000Z',
    });
    // responseElements: null on failure: the audience survives only inside principalId.
    expect(onlyRow('aws-arwwi-failure-accessdenied-eks-irsa-1.json')).toMatchObject({
      outcome: 'failure',
      error_code: 'AccessDenied',
      subject: 'system:serviceaccount:argo:awf-aws-executor-plugin',
      audience: 'sts.amazonaws.com',
      issuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/A8242F25BFBB8F98F5321B2AE63C8B5C',
      credential_id: null,
    });
    expect(onlyRow('aws-arwwi-success-cognito-gha-tags-1.json')).toMatchObject({
      issuer: 'https://cognito-identity.amazonaws.com',
      audience: 'ap-southeast-2:14deebd0-19f8-4295-a55e-8b36e60b4926',
    });
    // X.509: authenticationInfo is {}, the subject comes from the mapped principal.
    expect(onlyRow('gcp-sts-exchangetoken-success-x509-mtls-salrashid-1.json')).toMatchObject({
      subject: 'workload1',
      event_time: '2024-10-21T23:25:19.653928Z',
    });
    // A SIEM export: space-separated timestamp without a zone, callerIP spelled differently.
    expect(onlyRow('gcp-generateaccesstoken-success-gke-metadata-panther-1.json')).toMatchObject({
      event_time: '2024-08-29T19:30:36.339983Z',
      source_ip: 'gce-internal-ip',
    });
  });

  it('normalizes the doc samples once they carry the ids a real delivery has', () => {
    const aws = { eventID: '00000000-0000-4000-8000-000000000001', eventTime: '2025-01-01T00:00:00Z' };
    const gcp = {
      insertId: 'x1',
      timestamp: '2025-01-01T00:00:00.000000001Z',
      logName: 'projects/p/logs/cloudaudit.googleapis.com%2Fdata_access',
    };
    expect(onlyRow('aws-arwwi-success-terraformcloud-1.json', aws)).toMatchObject({
      subject:
        'organization:test-organization:project:Default Project:workspace:test-terraform-cloud:run_phase:plan',
      audience: 'aws.workload.identity',
      issuer: 'https://app.terraform.io',
    });
    expect(onlyRow('aws-arwwi-success-github-customaud-jwtex-1.json', aws)).toMatchObject({
      subject: 'repo:octo-org/octo-repo:environment:prod',
      audience: 'https://github.com/octo-org',
      credential_expiration: '2021-09-15T04:00:36.000000Z',
    });
    expect(onlyRow('aws-arwwi-failure-accessdenied-eks-repost-1.json', aws)).toMatchObject({
      outcome: 'failure',
      subject: 'system:serviceaccount:serverless:aws-sdk',
      principal: 'arn:aws:iam::11112222333:role/AccessEC2role',
      audience: null,
    });
    expect(onlyRow('gcp-sts-exchangetoken-success-docs-wif-azure-1.json', gcp)).toMatchObject({
      subject: 'b6112abb-5791-4507-adb5-7e8cc306eb2e',
      principal:
        'principal://iam.googleapis.com/projects/1234567890123/locations/global/workloadIdentityPools/azure-pool/subject/a1234bcd-5678-9012-efa3-4b5cd678ef9a',
      identity_provider:
        'projects/1234567890123/locations/global/workloadIdentityPools/azure-pool/providers/azure',
    });
    expect(onlyRow('gcp-generateaccesstoken-success-docs-wif-aws-1.json', gcp)).toMatchObject({
      principal: 'my-service-account@my-project.iam.gserviceaccount.com',
      subject: '012345678901',
      identity_provider: 'projects/1234567890123/locations/global/workloadIdentityPools/aws-pool',
    });
    expect(onlyRow('gcp-generateaccesstoken-failure-permissiondenied-stratus-1.json', gcp)).toMatchObject({
      outcome: 'failure',
      error_code: 'PERMISSION_DENIED',
      principal: 'target-service-account@project-id.iam.gserviceaccount.com',
      caller: null,
    });
    expect(onlyRow('gcp-generateaccesstoken-success-docs-user-impersonation-1.json', gcp)).toMatchObject({
      caller: 'example-user@example.com',
      subject: null,
    });
  });

  it('gives a GCS entry from Eventarc the very id Eventarc gave its CloudEvent', () => {
    const capture = JSON.parse(
      read('envelope-gcp-eventarc-gcs-objects-create-cloudrun-log-1.json').toString('utf8'),
    );
    const cloudEvent = capture.jsonPayload.event;
    const [item] = decodeValue(cloudEvent);
    if (item?.type !== 'record') throw new Error('expected a record');
    expect(item.delivery).toBe('eventarc');
    const result = normalizeRecord(item.record);
    expect(result).toMatchObject({
      type: 'row',
      row: {
        event_id: cloudEvent.id,
        category: 'data_access',
        bucket: 'qwiklabs-gcp-03-13287e2e8172-cr-bucket',
        object: 'random.txt',
        resource: 'gs://qwiklabs-gcp-03-13287e2e8172-cr-bucket/random.txt',
        principal: 'student-03-e82a56afaf2e@qwiklabs.net',
        region: 'us-east4',
      },
    });
  });
});
