import fc from 'fast-check';
import { RejectError } from '../errors.js';
import type { JsonObject } from '../json-access.js';
import { AUDITED_METHODS } from '../queries/log-router-filter.js';
import { gcpIamPoolProviderChange } from './gcp-iam-pool-provider-change.js';
import { LOG_ENTRY_NORMALIZERS } from './normalize-record.js';

const PROVIDER = 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/gha';

function entry(methodName: string, request: unknown, serviceName = 'iam.googleapis.com'): JsonObject {
  return {
    protoPayload: {
      serviceName,
      methodName,
      resourceName: PROVIDER,
      authenticationInfo: { principalEmail: 'alice@acme.example' },
      request,
    },
    insertId: 'x1',
    timestamp: '2026-11-20T10:00:00Z',
    logName: 'projects/acme-wif-prod/logs/cloudaudit.googleapis.com%2Factivity',
  };
}

describe('gcpIamPoolProviderChange.matches', () => {
  it.each([
    'google.iam.v1.WorkloadIdentityPools.CreateWorkloadIdentityPoolProvider',
    'google.iam.v1beta.WorkloadIdentityPools.UpdateWorkloadIdentityPoolProvider',
    'DeleteWorkloadIdentityPoolProvider',
    'undeleteworkloadidentitypoolprovider',
    'google.iam.v1.WorkloadIdentityPools.CreateWorkloadIdentityPool',
    'UndeleteWorkloadIdentityPool',
  ])('takes %s', (method) => {
    expect(gcpIamPoolProviderChange.matches(entry(method, {}))).toBe(true);
  });

  it.each([
    'google.iam.v1.WorkloadIdentityPools.GetWorkloadIdentityPoolProvider',
    'google.iam.v1.WorkloadIdentityPools.UpdateWorkloadIdentityPool',
    'google.iam.v1.WorkloadIdentityPools.DeleteWorkloadIdentityPool',
    'google.iam.v1.WorkloadIdentityPools.CreateWorkloadIdentityPoolProviderKey',
    'google.iam.admin.v1.WorkforcePools.CreateWorkforcePoolProvider',
  ])('leaves %s', (method) => {
    expect(gcpIamPoolProviderChange.matches(entry(method, {}))).toBe(false);
  });

  it('leaves another service', () => {
    const other = entry('CreateWorkloadIdentityPoolProvider', {}, 'cloudresourcemanager.googleapis.com');
    expect(gcpIamPoolProviderChange.matches(other)).toBe(false);
  });
});

it('every iam.googleapis.com method the Log Router filter routes is read by a normalizer', () => {
  const iam = AUDITED_METHODS.find(({ serviceName }) => serviceName === 'iam.googleapis.com')!;
  for (const method of iam.methods) {
    expect([method, LOG_ENTRY_NORMALIZERS.some((n) => n.matches(entry(method, {})))]).toEqual([method, true]);
  }
});

describe('gcpIamPoolProviderChange.normalize', () => {
  it('leaves trust null when a create entry carries no provider (the request was not logged)', () => {
    const row = gcpIamPoolProviderChange.normalize(
      entry('google.iam.v1.WorkloadIdentityPools.CreateWorkloadIdentityPoolProvider', undefined),
    );
    expect([row.resource, row.issuer, row.trust]).toEqual([PROVIDER, null, null]);
  });

  it('leaves trust null on an undelete: the restored trust is not in the entry', () => {
    const row = gcpIamPoolProviderChange.normalize(
      entry('UndeleteWorkloadIdentityPoolProvider', { name: PROVIDER }),
    );
    expect([row.action, row.trust]).toEqual(['UndeleteWorkloadIdentityPoolProvider', null]);
  });

  it('returns a row or rejects, whatever the request holds', () => {
    const provider = fc.dictionary(
      fc.constantFrom('oidc', 'aws', 'attributeCondition', 'name'),
      fc.oneof(fc.jsonValue(), fc.record({ issuerUri: fc.jsonValue(), allowedAudiences: fc.jsonValue() })),
    );
    const request = fc.oneof(
      fc.jsonValue(),
      fc.record({
        parent: fc.jsonValue(),
        workloadIdentityPoolProviderId: fc.jsonValue(),
        workloadIdentityPoolProvider: provider,
      }),
    );
    const method = fc.constantFrom(
      'CreateWorkloadIdentityPoolProvider',
      'UpdateWorkloadIdentityPoolProvider',
      'DeleteWorkloadIdentityPoolProvider',
      'CreateWorkloadIdentityPool',
    );
    fc.assert(
      fc.property(method, request, (method, request) => {
        try {
          const row = gcpIamPoolProviderChange.normalize(entry(method, request));
          expect(row.category).toBe('trust_change');
        } catch (error) {
          expect(error).toBeInstanceOf(RejectError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
