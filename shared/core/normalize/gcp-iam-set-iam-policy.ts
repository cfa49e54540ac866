import { parseFederatedPrincipal, realEmail, serviceAccountEmail } from '../identity/gcp-identity.js';
import { asArray, asObject, asText, type JsonObject } from '../json-access.js';
import type { Normalizer } from './audit-record.js';
import { auditPayload, logEntryRow } from './log-entry-base.js';

export interface BindingDelta {
  readonly action: string | null;
  readonly role: string | null;
  readonly member: string | null;
}

function isSetIamPolicy(method: unknown): boolean {
  return (
    typeof method === 'string' && method.slice(method.lastIndexOf('.') + 1).toLowerCase() === 'setiampolicy'
  );
}

const SERVICE_ACCOUNT_NAME = /^projects\/[^/]+\/serviceAccounts\/[^/]+$/;

/**
 * Without a serviceName (Google's documentation example of this entry has none) only the resource
 * says whose policy changed: a service account's, when the entry names one (`resource.type`
 * `service_account`, or `projects/…/serviceAccounts/…` as resourceName or request.resource) and
 * names nothing else. A bucket's, a project's or a topic's SetIamPolicy is not a trust change here.
 */
function namesServiceAccountOnly(entry: JsonObject, payload: JsonObject): boolean {
  const type = asObject(entry.resource)?.type;
  const names = [payload.resourceName, asObject(payload.request)?.resource].filter(
    (name) => name !== undefined && name !== null,
  );
  if (!names.every((name) => typeof name === 'string' && SERVICE_ACCOUNT_NAME.test(name))) return false;
  return type === undefined ? names.length > 0 : type === 'service_account';
}

/**
 * The account named where the change was authorized: Google's documentation example of this entry
 * names it there alone (no request, no resourceName).
 */
function authorizedServiceAccount(payload: JsonObject): string | null {
  for (const item of asArray(payload.authorizationInfo)) {
    const authorization = asObject(item);
    if (authorization?.permission !== 'iam.serviceAccounts.setIamPolicy') continue;
    const email = serviceAccountEmail(asText(authorization.resource));
    if (email) return email;
  }
  return null;
}

/** `policyDelta` sits in `serviceData` (AuditData) in the logs seen; newer entries may carry it in `metadata`. */
export function bindingDeltas(payload: JsonObject): BindingDelta[] | null {
  const delta =
    asObject(asObject(payload.serviceData)?.policyDelta) ?? asObject(asObject(payload.metadata)?.policyDelta);
  if (delta === null) return null;
  return asArray(delta.bindingDeltas).flatMap((item) => {
    const binding = asObject(item);
    return binding
      ? [{ action: asText(binding.action), role: asText(binding.role), member: asText(binding.member) }]
      : [];
  });
}

/**
 * iam.googleapis.com SetIAMPolicy on a service account (with or without a serviceName): who may
 * now impersonate it or mint tokens as it. Granting `roles/iam.workloadIdentityUser` to a whole
 * pool (`principalSet://…/*`) lets every identity the pool's provider admits become the account.
 * The row's principal is the account whose trust changed; the caller is who changed it; the
 * deltas are kept as logged.
 */
export const gcpIamSetIamPolicy: Normalizer = {
  kind: 'gcp.iam.SetIamPolicy',

  matches(entry) {
    const payload = auditPayload(entry);
    if (!payload || !isSetIamPolicy(payload.methodName)) return false;
    const service = payload.serviceName;
    return (
      service === 'iam.googleapis.com' || (service === undefined && namesServiceAccountOnly(entry, payload))
    );
  },

  normalize(entry: JsonObject) {
    const payload = auditPayload(entry)!;
    const row = logEntryRow(entry, payload, 'iam.googleapis.com', 'trust_change');
    const auth = asObject(payload.authenticationInfo);
    const principalSubject = asText(auth?.principalSubject);
    const federated = parseFederatedPrincipal(principalSubject);
    const resourceName = asText(payload.resourceName);
    const target =
      serviceAccountEmail(asText(asObject(payload.request)?.resource)) ??
      asText(asObject(asObject(entry.resource)?.labels)?.email_id) ??
      serviceAccountEmail(resourceName) ??
      authorizedServiceAccount(payload) ??
      resourceName;

    row.principal = target;
    row.resource = target;
    row.subject = federated?.subject ?? null;
    row.identity_provider = federated?.pool ?? null;
    row.caller = federated ? principalSubject : (realEmail(asText(auth?.principalEmail)) ?? principalSubject);
    row.binding_deltas = bindingDeltas(payload);
    return row;
  },
};
