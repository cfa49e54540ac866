import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CheckStatus, fetched, fetchFailed } from './check-result.js';
import { checkAuditLogs } from './gcp-audit-logs.js';
import type { IamPolicy } from './iam-policy.js';

function policy(name: string): IamPolicy {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as IamPolicy;
}

type Statuses = [sts: CheckStatus, iamcredentials: CheckStatus, storage: CheckStatus];

describe('checkAuditLogs', () => {
  const cases: [fixture: string, expected: Statuses, why: string][] = [
    ['project-policy-complete.json', ['ok', 'ok', 'ok'], 'each service has its own config'],
    ['project-policy-all-services.json', ['ok', 'ok', 'ok'], 'allServices counts for every service'],
    ['project-policy-no-storage-read.json', ['ok', 'ok', 'fail'], 'storage without DATA_READ'],
    ['project-policy-no-audit-configs.json', ['fail', 'fail', 'fail'], 'Data Access logs are off by default'],
    ['project-policy-storage-read-only.json', ['ok', 'ok', 'warn'], 'DATA_READ on, DATA_WRITE off'],
    ['project-policy-exempted.json', ['warn', 'warn', 'ok'], 'exempted members are not logged'],
  ];

  it.each(cases)('%s -> %j (%s)', (fixture, expected) => {
    const results = checkAuditLogs('acme-audit', fetched(policy(fixture)));
    expect(results.map((result) => result.target)).toEqual([
      'sts.googleapis.com',
      'iamcredentials.googleapis.com',
      'storage.googleapis.com',
    ]);
    expect(results.map((result) => result.status)).toEqual(expected);
    for (const result of results) {
      expect(result.check).toBe('gcp.audit-logs');
      expect(result.fix === '').toBe(result.status === 'ok');
    }
  });

  it('names the missing log types and gives both the gcloud and the Terraform fix', () => {
    const [, , storage] = checkAuditLogs(
      'acme-audit',
      fetched(policy('project-policy-no-storage-read.json')),
    );
    expect(storage!.message).toContain('DATA_READ is off for storage.googleapis.com in project acme-audit');
    expect(storage!.message).toContain('looks like no activity');
    expect(storage!.fix).toContain('gcloud projects get-iam-policy acme-audit --format=json > policy.json');
    expect(storage!.fix).toContain(
      '{"service":"storage.googleapis.com","auditLogConfigs":[{"logType":"DATA_READ"},{"logType":"DATA_WRITE"}]}',
    );
    expect(storage!.fix).toContain('gcloud projects set-iam-policy acme-audit policy.json');
    expect(storage!.fix).toContain(
      'resource "google_project_iam_audit_config" "storage" { project = "acme-audit" service = "storage.googleapis.com" audit_log_config { log_type = "DATA_READ" } audit_log_config { log_type = "DATA_WRITE" } }',
    );
  });

  it('lists exempted members and where a log type was enabled', () => {
    const [sts, , storage] = checkAuditLogs('acme-audit', fetched(policy('project-policy-exempted.json')));
    expect(sts!.message).toContain('serviceAccount:ci-runner@acme-build.iam.gserviceaccount.com');
    expect(sts!.message).toContain('set on allServices');
    expect(storage!.message).toBe('DATA_READ, DATA_WRITE on for storage.googleapis.com (set on allServices)');
  });

  it('skips every service with the reason and the role to grant when the policy cannot be read', () => {
    const denied = fetchFailed<IamPolicy>({
      kind: 'denied',
      httpStatus: 403,
      code: 'PERMISSION_DENIED',
      message: 'The caller does not have permission',
    });
    const results = checkAuditLogs('acme-audit', denied);
    expect(results).toHaveLength(3);
    for (const result of results) {
      expect(result.status).toBe('skipped');
      expect(result.message).toBe(
        'could not read the IAM policy of project acme-audit: 403 PERMISSION_DENIED: The caller does not have permission; ' +
          'grant roles/iam.securityReviewer on project acme-audit or run with a principal that can',
      );
    }
  });

  it('quotes a project id that is not a plain shell word', () => {
    const [sts] = checkAuditLogs("odd'project", fetched({}));
    expect(sts!.fix).toContain(`gcloud projects get-iam-policy 'odd'\\''project' --format=json`);
  });
});
