import { iamResourceName, parseFederatedPrincipal, realEmail } from '../identity/gcp-identity.js';
import { providerTrust } from '../identity/gcp-provider-trust.js';
import { asArray, asObject, asText, type JsonObject } from '../json-access.js';
import type { Normalizer } from './audit-record.js';
import { auditPayload, logEntryRow } from './log-entry-base.js';

/** An updateMask as logged: `a,b` text, or a FieldMask `{paths: [...]}`. */
function updateMaskOf(request: JsonObject | null): string[] {
  const mask = request?.updateMask;
  if (typeof mask === 'string')
    return mask
      .split(',')
      .map((path) => path.trim())
      .filter(Boolean);
  return asArray(asObject(mask)?.paths).filter((path): path is string => typeof path === 'string');
}

type Target = 'provider' | 'pool';
type Change = 'set' | 'delete' | 'restore' | 'pool';

interface MethodSpec {
  readonly action: string;
  readonly target: Target;
  readonly change: Change;
}

/**
 * Logged as `google.iam.v1.WorkloadIdentityPools.<Method>` (or `v1beta`); matched on the last
 * segment so any version prefix, or none, is read the same.
 */
const METHODS: ReadonlyMap<string, MethodSpec> = new Map(
  (
    [
      ['CreateWorkloadIdentityPoolProvider', 'provider', 'set'],
      ['UpdateWorkloadIdentityPoolProvider', 'provider', 'set'],
      ['DeleteWorkloadIdentityPoolProvider', 'provider', 'delete'],
      ['UndeleteWorkloadIdentityPoolProvider', 'provider', 'restore'],
      ['CreateWorkloadIdentityPool', 'pool', 'pool'],
      ['UndeleteWorkloadIdentityPool', 'pool', 'pool'],
    ] as const
  ).map(([action, target, change]) => [action.toLowerCase(), { action, target, change }]),
);

function methodSpec(method: unknown): MethodSpec | null {
  if (typeof method !== 'string') return null;
  return METHODS.get(method.slice(method.lastIndexOf('.') + 1).toLowerCase()) ?? null;
}

const POOL_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)$/;
const PROVIDER_NAME = /^(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+)\/providers\/[^/]+$/;

function named(value: unknown, pattern: RegExp): string | null {
  const name = iamResourceName(asText(value));
  return name !== null && pattern.test(name) ? name : null;
}

/** The name the entry's resourceName gives, else the one the request builds from parent + id or names. */
function targetName(payload: JsonObject, request: JsonObject | null, target: Target): string | null {
  if (target === 'provider') {
    const parent = named(request?.parent, POOL_NAME);
    const id = asText(request?.workloadIdentityPoolProviderId);
    return (
      named(payload.resourceName, PROVIDER_NAME) ??
      (parent !== null && id !== null ? `${parent}/providers/${id}` : null) ??
      named(asObject(request?.workloadIdentityPoolProvider)?.name, PROVIDER_NAME) ??
      named(request?.name, PROVIDER_NAME)
    );
  }
  const parent = iamResourceName(asText(request?.parent));
  const id = asText(request?.workloadIdentityPoolId);
  return (
    named(payload.resourceName, POOL_NAME) ??
    named(parent !== null && id !== null ? `${parent}/workloadIdentityPools/${id}` : null, POOL_NAME) ??
    named(asObject(request?.workloadIdentityPool)?.name, POOL_NAME) ??
    named(request?.name, POOL_NAME)
  );
}

/**
 * Every identity the pool admits, as IAM bindings name it: that is who a provider change lets in.
 * Bindings need the project number; with a project id in the name there is no such set to name.
 */
function poolPrincipalSet(poolName: string): string | null {
  const match = POOL_NAME.exec(poolName);
  if (!match || !/^\d+$/.test(match[1]!)) return null;
  return `principalSet://iam.googleapis.com/${poolName}/*`;
}

/**
 * iam.googleapis.com changes to a workload identity pool or its providers (Admin Activity).
 * A provider decides which external tokens the pool admits: its issuer, audiences and CEL
 * attributeCondition. The row's principal is the pool's principalSet (every identity the pool
 * admits), the resource the provider; the trust column holds what a create or update sets (also
 * on a failure: what was attempted), [] on a delete, null on an undelete (the restored trust is
 * not logged) and on pool events (a pool has no trust of its own).
 */
export const gcpIamPoolProviderChange: Normalizer = {
  kind: 'gcp.iam.WorkloadIdentityPoolProviderChange',

  matches(entry) {
    const payload = auditPayload(entry);
    return payload?.serviceName === 'iam.googleapis.com' && methodSpec(payload.methodName) !== null;
  },

  normalize(entry: JsonObject) {
    const payload = auditPayload(entry)!;
    const spec = methodSpec(payload.methodName)!;
    const row = logEntryRow(entry, payload, 'iam.googleapis.com', 'trust_change');
    const request = asObject(payload.request);
    const auth = asObject(payload.authenticationInfo);
    const principalSubject = asText(auth?.principalSubject);
    const federated = parseFederatedPrincipal(principalSubject);
    const name = targetName(payload, request, spec.target);
    const poolName = spec.target === 'pool' ? name : (name && PROVIDER_NAME.exec(name)?.[1]) || null;
    const provider = asObject(request?.workloadIdentityPoolProvider);

    row.action = spec.action;
    row.principal = (poolName && poolPrincipalSet(poolName)) ?? name;
    row.resource = name;
    row.identity_provider = name;
    row.caller = federated ? principalSubject : (realEmail(asText(auth?.principalEmail)) ?? principalSubject);
    if (spec.change === 'set' && provider !== null) {
      const trust = providerTrust(provider, spec.action.startsWith('Update') ? updateMaskOf(request) : null);
      row.issuer = trust.issuer ?? null;
      row.trust = [trust];
    } else if (spec.change === 'delete') {
      row.trust = [];
    }
    return row;
  },
};
