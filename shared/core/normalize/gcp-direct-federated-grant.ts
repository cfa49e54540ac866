import { IMPERSONATION_ROLES, parseFederatedMember, realEmail } from '../identity/gcp-identity.js';
import { asArray, asObject, asText, type JsonObject } from '../json-access.js';
import type { Normalizer } from './audit-record.js';
import { type BindingDelta, bindingDeltas } from './gcp-iam-set-iam-policy.js';
import { auditPayload, logEntryRow, statusCode } from './log-entry-base.js';

const PROJECT_NAME = /^projects\/([^/]+)$/;
const BUCKET_NAME = /^projects\/[^/]+\/buckets\/([^/]+)$/;

interface Target {
  readonly kind: 'project' | 'bucket';
  /** `projects/P`, or `gs://B` as the storage data-access rows name a bucket. */
  readonly resource: string;
}

/**
 * Whose policy the entry changed: a project's (Resource Manager) or a bucket's (Cloud Storage),
 * named by resourceName, or by the resource labels when the entry has none. A folder's or an
 * organization's policy is neither.
 */
function targetOf(entry: JsonObject, payload: JsonObject): Target | null {
  const name = asText(payload.resourceName);
  const labels = asObject(asObject(entry.resource)?.labels);
  if (
    payload.serviceName === 'cloudresourcemanager.googleapis.com' &&
    payload.methodName === 'SetIamPolicy'
  ) {
    const project = name === null ? asText(labels?.project_id) : PROJECT_NAME.exec(name)?.[1];
    return project ? { kind: 'project', resource: `projects/${project}` } : null;
  }
  if (
    payload.serviceName === 'storage.googleapis.com' &&
    payload.methodName === 'storage.setIamPermissions'
  ) {
    const bucket = name === null ? asText(labels?.bucket_name) : BUCKET_NAME.exec(name)?.[1];
    return bucket ? { kind: 'bucket', resource: `gs://${bucket}` } : null;
  }
  return null;
}

/** A storage role on either target; an impersonation role only on a project (it covers every account in it). */
function isRelevantRole(kind: Target['kind'], role: string | null): boolean {
  if (role === null) return false;
  return role.startsWith('roles/storage.') || (kind === 'project' && IMPERSONATION_ROLES.has(role));
}

function isFederatedGrant(kind: Target['kind'], role: string | null, member: string | null): boolean {
  return isRelevantRole(kind, role) && parseFederatedMember(member) !== null;
}

/** The logged deltas that grant or revoke a relevant role to or from a federated member, as logged. */
function federatedDeltas(payload: JsonObject, kind: Target['kind']): BindingDelta[] {
  return (bindingDeltas(payload) ?? []).filter((delta) => isFederatedGrant(kind, delta.role, delta.member));
}

/**
 * A denied change logs no delta, only the policy it asked for: the federated members that policy
 * gives a relevant role. The request holds the whole policy, so some of them may have held the
 * role already; Cloud Storage does not log the request, so a denied bucket change names nobody.
 */
function requestedMembers(payload: JsonObject, kind: Target['kind']): string[] {
  const policy = asObject(asObject(payload.request)?.policy);
  return asArray(policy?.bindings).flatMap((item) => {
    const binding = asObject(item);
    const role = asText(binding?.role);
    return asArray(binding?.members).flatMap((value) => {
      const member = asText(value);
      return member !== null && isFederatedGrant(kind, role, member) ? [member] : [];
    });
  });
}

interface Grant {
  readonly target: Target;
  readonly deltas: BindingDelta[];
  /** The federated member the row is about: the first one added, else the first one named. */
  readonly member: string;
}

function grantOf(entry: JsonObject): Grant | null {
  const payload = auditPayload(entry);
  if (!payload) return null;
  const target = targetOf(entry, payload);
  if (!target) return null;
  const deltas = federatedDeltas(payload, target.kind);
  const member =
    deltas.find((delta) => delta.action === 'ADD')?.member ??
    deltas[0]?.member ??
    (statusCode(asObject(payload.status)) === 0 ? undefined : requestedMembers(payload, target.kind)[0]);
  return member ? { target, deltas, member } : null;
}

/**
 * A project's or a bucket's SetIamPolicy that grants (or revokes) a storage role directly to a
 * federated member (`principal://…/subject/…`, `principalSet://…/attribute.repository/…`,
 * `principalSet://…/*`), with no service account between the workload and the data, or an
 * impersonation role at project level, which lets the member become every account in the project.
 * The member is the row's principal (the identity that obtains access); the project or bucket is the
 * resource; only those deltas are kept, as logged. Any other project or bucket policy change (users,
 * groups, service accounts, other roles) is not federation: skipped.
 */
export const gcpDirectFederatedGrant: Normalizer = {
  kind: 'gcp.iam.DirectFederatedGrant',

  matches(entry) {
    return grantOf(entry) !== null;
  },

  normalize(entry: JsonObject) {
    const payload = auditPayload(entry)!;
    const { target, deltas, member } = grantOf(entry)!;
    const service =
      target.kind === 'project' ? 'cloudresourcemanager.googleapis.com' : 'storage.googleapis.com';
    const row = logEntryRow(entry, payload, service, 'trust_change');
    const auth = asObject(payload.authenticationInfo);
    const identity = parseFederatedMember(member);

    row.principal = member;
    row.subject = identity?.subject ?? null;
    row.identity_provider = identity?.pool ?? null;
    row.resource = target.resource;
    row.caller = realEmail(asText(auth?.principalEmail)) ?? asText(auth?.principalSubject);
    row.binding_deltas = deltas.length > 0 ? deltas : null;
    return row;
  },
};
