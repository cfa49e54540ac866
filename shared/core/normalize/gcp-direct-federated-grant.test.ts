import fc from 'fast-check';
import { RejectError } from '../errors.js';
import type { JsonObject } from '../json-access.js';
import { AUDITED_METHODS } from '../queries/log-router-filter.js';
import { gcpDirectFederatedGrant } from './gcp-direct-federated-grant.js';
import { LOG_ENTRY_NORMALIZERS, normalizeRecord } from './normalize-record.js';

const WHOLE_POOL =
  'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/*';

const TARGETS: Record<string, { method: string; resourceName: string }> = {
  'storage.googleapis.com': {
    method: 'storage.setIamPermissions',
    resourceName: 'projects/_/buckets/acme-releases',
  },
  'cloudresourcemanager.googleapis.com': { method: 'SetIamPolicy', resourceName: 'projects/acme-data-prod' },
};

function entry(serviceName: string, methodName: string, payload: JsonObject = {}): JsonObject {
  return {
    protoPayload: {
      serviceName,
      methodName,
      resourceName: TARGETS[serviceName]?.resourceName ?? 'projects/acme-data-prod',
      authenticationInfo: { principalEmail: 'alice@acme.example' },
      serviceData: {
        policyDelta: {
          bindingDeltas: [{ action: 'ADD', role: 'roles/storage.objectViewer', member: WHOLE_POOL }],
        },
      },
      ...payload,
    },
    insertId: 'x1',
    timestamp: '2026-11-21T10:00:00Z',
    logName: 'projects/acme-data-prod/logs/cloudaudit.googleapis.com%2Factivity',
  };
}

it('reads every project and bucket policy method the Log Router filter routes', () => {
  for (const [serviceName, { method }] of Object.entries(TARGETS)) {
    const routed = AUDITED_METHODS.find((audited) => audited.serviceName === serviceName)?.methods ?? [];
    expect([serviceName, routed.includes(method)]).toEqual([serviceName, true]);
    expect(LOG_ENTRY_NORMALIZERS.filter((n) => n.matches(entry(serviceName, method)))).toEqual([
      gcpDirectFederatedGrant,
    ]);
  }
});

describe('gcpDirectFederatedGrant.matches', () => {
  it.each([
    ['iam.googleapis.com', 'SetIamPolicy'],
    ['storage.googleapis.com', 'SetIamPolicy'],
    ['storage.googleapis.com', 'storage.objects.setIamPolicy'],
    ['cloudresourcemanager.googleapis.com', 'GetIamPolicy'],
    ['cloudresourcemanager.googleapis.com', 'setiampolicy'],
  ])('leaves %s %s', (service, method) => {
    expect(gcpDirectFederatedGrant.matches(entry(service, method))).toBe(false);
  });

  it('leaves a successful change that logged no delta, whatever the requested policy holds', () => {
    const record = entry('cloudresourcemanager.googleapis.com', 'SetIamPolicy', {
      serviceData: undefined,
      request: { policy: { bindings: [{ role: 'roles/storage.admin', members: [WHOLE_POOL] }] } },
    });
    expect(gcpDirectFederatedGrant.matches(record)).toBe(false);
    expect(
      gcpDirectFederatedGrant.matches({
        ...record,
        protoPayload: { ...(record.protoPayload as JsonObject), status: { code: 7 } },
      }),
    ).toBe(true);
  });

  it('keeps an impersonation role at project level only', () => {
    const delta = {
      serviceData: {
        policyDelta: {
          bindingDeltas: [{ action: 'ADD', role: 'roles/iam.workloadIdentityUser', member: WHOLE_POOL }],
        },
      },
    };
    expect(
      gcpDirectFederatedGrant.matches(entry('cloudresourcemanager.googleapis.com', 'SetIamPolicy', delta)),
    ).toBe(true);
    expect(
      gcpDirectFederatedGrant.matches(entry('storage.googleapis.com', 'storage.setIamPermissions', delta)),
    ).toBe(false);
  });
});

it('skips, rows or rejects any project or bucket policy entry, and never throws anything else', () => {
  const delta = fc.dictionary(
    fc.constantFrom('action', 'role', 'member', 'condition'),
    fc.oneof(
      fc.constantFrom(
        'ADD',
        'REMOVE',
        'roles/storage.objectAdmin',
        'roles/iam.workloadIdentityUser',
        WHOLE_POOL,
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
  );
  const payload = fc.record(
    {
      resourceName: fc.oneof(
        fc.constantFrom('projects/p', 'projects/_/buckets/b', 'folders/1'),
        fc.jsonValue(),
      ),
      serviceData: fc.oneof(
        fc.record({ policyDelta: fc.record({ bindingDeltas: fc.array(delta) }) }),
        fc.jsonValue(),
      ),
      status: fc.oneof(fc.constant({ code: 7 }), fc.jsonValue({ maxDepth: 1 })),
      request: fc.jsonValue(),
      authenticationInfo: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  );
  const service = fc.constantFrom(...Object.keys(TARGETS));
  fc.assert(
    fc.property(service, payload, (serviceName, extra) => {
      const value = entry(serviceName, TARGETS[serviceName]!.method, extra as JsonObject);
      const outcome = normalizeRecord({ format: 'logentry', value });
      if (outcome.type === 'row') expect(outcome.row.category).toBe('trust_change');
      if (outcome.type === 'skip') expect(outcome.reason).toBe('not_federation');
      if (gcpDirectFederatedGrant.matches(value)) {
        try {
          gcpDirectFederatedGrant.normalize(value);
        } catch (error) {
          expect(error).toBeInstanceOf(RejectError);
        }
      }
    }),
    { numRuns: 500 },
  );
});
