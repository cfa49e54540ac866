/** Identity strings as Cloud Audit Logs write them. */
export interface FederatedIdentity {
  /** The pool resource name, or `PROJECT.svc.id.goog` for GKE Workload Identity. */
  readonly pool: string;
  /** The external subject; null when the principal names a pool but no subject. */
  readonly subject: string | null;
}

const PRINCIPAL_PREFIX = 'principal://iam.googleapis.com/';
// Logs show `/subject/`; the AuditLog proto comment documents `/subjects/`. Accept both.
const SUBJECT_SEPARATOR = /\/subjects?\//;
const GKE_POOL = /(?:^|\/)workloadIdentityPools\/([^/]+\.svc\.id\.goog)$/;
const GKE_NEW_SUBJECT = /^ns\/([^/]+)\/sa\/([^/]+)$/;
const GKE_LEGACY = /^serviceAccount:([^[\]]+\.svc\.id\.goog)\[([^/\]]+)\/([^\]]+)\]$/;

/** GKE and EKS service accounts read the same: `system:serviceaccount:NAMESPACE:NAME`. */
function kubernetesSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * Parses a federated principal: `principal://iam.googleapis.com/POOL/subject/SUB` (SUB may hold
 * `/` and `:`, so everything after the first separator is the subject), and GKE's legacy
 * `serviceAccount:PROJECT.svc.id.goog[NS/KSA]`. Returns null for users and service accounts.
 */
export function parseFederatedPrincipal(principal: string | null): FederatedIdentity | null {
  if (principal === null) return null;
  const legacy = GKE_LEGACY.exec(principal);
  if (legacy) return { pool: legacy[1]!, subject: kubernetesSubject(legacy[2]!, legacy[3]!) };
  if (!principal.startsWith(PRINCIPAL_PREFIX)) return null;

  const path = principal.slice(PRINCIPAL_PREFIX.length);
  const separator = SUBJECT_SEPARATOR.exec(path);
  const poolPath = separator ? path.slice(0, separator.index) : path;
  const subject = separator ? path.slice(separator.index + separator[0].length) : null;
  if (poolPath === '') return null;

  const gkePool = GKE_POOL.exec(poolPath)?.[1];
  if (gkePool === undefined) return { pool: poolPath, subject: subject === '' ? null : subject };
  const gkeSubject = subject === null ? null : GKE_NEW_SUBJECT.exec(subject);
  return { pool: gkePool, subject: gkeSubject ? kubernetesSubject(gkeSubject[1]!, gkeSubject[2]!) : subject };
}

// The pools a member can name: workload identity pools (under a project) and workforce pools.
const FEDERATED_MEMBER =
  /^(principal|principalSet):\/\/iam\.googleapis\.com\/((?:projects\/[^/]+\/)?locations\/[^/]+\/(?:workloadIdentityPools|workforcePools)\/([^/]+))(?:\/|$)/;

/**
 * An IAM policy member that names a workload or workforce identity pool: one subject
 * (`principal://iam.googleapis.com/POOL/subject/SUB`, parsed as a logged principal) or a set of
 * the pool's identities (`principalSet://iam.googleapis.com/POOL/*`, `…/attribute.NAME/VALUE`,
 * `…/group/GROUP`), whose subject is null. Other `principal://` and `principalSet://` members
 * (`principal://goog/subject/EMAIL`, `principalSet://goog/public:all`, a service account's
 * identifier) are not federated: null.
 */
export function parseFederatedMember(member: string | null): FederatedIdentity | null {
  const match = member === null ? null : FEDERATED_MEMBER.exec(member);
  if (!match) return null;
  if (match[1] === 'principal') return parseFederatedPrincipal(member);
  const pool = match[3]!.endsWith('.svc.id.goog') ? match[3]! : match[2]!;
  return { pool, subject: null };
}

const SERVICE_ACCOUNT_NAME = /^projects\/[^/]+\/serviceAccounts\/([^/]+@[^/]+)$/;

/** `projects/-/serviceAccounts/EMAIL` -> EMAIL; numeric unique ids give null. */
export function serviceAccountEmail(name: string | null): string | null {
  return name === null ? null : (SERVICE_ACCOUNT_NAME.exec(name)?.[1] ?? null);
}

const IAM_RESOURCE_PREFIX = /^(?:https:)?\/\/iam\.googleapis\.com\//;

/** `//iam.googleapis.com/projects/N/.../providers/P` -> `projects/N/.../providers/P`. */
export function iamResourceName(value: string | null): string | null {
  return value === null ? null : value.replace(IAM_RESOURCE_PREFIX, '');
}

/**
 * A `principalEmail` is an email, except the 2020-era `/namespaces/projects/N/...` pool path some
 * federated calls carried in that field; that one is not a principal.
 */
export function realEmail(value: string | null): string | null {
  return value?.includes('@') && !value.startsWith('/') ? value : null;
}

/** Roles that let a member obtain a service account's credentials; at project level, every account's. */
export const IMPERSONATION_ROLES: ReadonlySet<string> = new Set([
  'roles/iam.workloadIdentityUser',
  'roles/iam.serviceAccountTokenCreator',
  'roles/iam.serviceAccountOpenIdTokenCreator',
]);

/** `principal://…/POOL/`, which every principal of a pool's principalSet (`principalSet://…/POOL/*`) starts with. */
export function poolMembersPrefix(principalSet: string): string | null {
  return principalSet.startsWith('principalSet://') && principalSet.endsWith('/*')
    ? `principal://${principalSet.slice('principalSet://'.length, -1)}`
    : null;
}
