import type { Row } from '../schema/row.js';

/** One trust a change set (an entry of the `trust` column): who may federate into the row's principal. */
export interface Trust {
  readonly issuer?: string | null;
  readonly audiences?: readonly string[] | null;
  readonly subjects?: readonly string[] | null;
  readonly condition?: string | null;
  /** A GCP provider's attributeMapping (target → CEL expression), which its condition may read. */
  readonly mapping?: Readonly<Record<string, string>>;
  /** For an update, the fields it sets; the others keep their earlier values. */
  readonly updated?: readonly string[];
}

/**
 * The trusts of a `trust` cell: stores hand JSON columns back as text, rows from the normalizers
 * hold the array itself. Null when the cell says nothing (not a trust change, or not logged).
 */
export function trustsOf(value: unknown): Trust[] | null {
  let parsed = value;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(parsed)) return null;
  return parsed.filter((entry): entry is Trust => typeof entry === 'object' && entry !== null);
}

/** A federated member an IAM policy grants a role: who may become or use the resource. */
export interface FederatedGrant {
  readonly role: string;
  /** `principal://…/subject/S` or `principalSet://…` as the policy names it. */
  readonly member: string;
  /** The binding's IAM condition expression, if any. */
  readonly condition: string | null;
}

/** What may become one principal now, as a live read of the cloud's configuration finds it. */
export interface ScannedPrincipal {
  readonly cloud: 'aws' | 'gcp';
  readonly kind: 'role' | 'pool' | 'service-account' | 'project' | 'bucket';
  /**
   * Named as rows name it: a role ARN, a pool's `principalSet://…/*`, a service account's email,
   * `projects/ID`, or a bucket's name.
   */
  readonly principal: string;
  /** Role trusts (AWS) or one per provider of a pool (GCP); empty for IAM policies. */
  readonly trusts: readonly Trust[];
  /** Federated members (principal:// / principalSet://) an IAM policy grants (GCP); empty for AWS. */
  readonly grants: readonly FederatedGrant[];
  /** The API resource it was read from, for the report and errors. */
  readonly source: string;
}

/** A part of the configuration a scan could not read (denied, missing), reported rather than fatal. */
export interface ScanProblem {
  readonly cloud: 'aws' | 'gcp';
  readonly scope: string;
  readonly message: string;
}

/**
 * Whether a provider's attribute condition keeps other owners' tokens out: `open` with an example
 * of the claims of a foreign token it admits, `scoped`, or `unknown` when it cannot be decided.
 */
export type ConditionVerdict =
  | { readonly kind: 'scoped' }
  | { readonly kind: 'open'; readonly example: Readonly<Record<string, string>> }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * Evaluates GCP attribute conditions (CEL). Handed to the rules rather than imported by them, so
 * that the functions load the evaluator only for a delivery that holds a condition.
 */
export interface ConditionJudge {
  ownerScoping(trust: Trust): ConditionVerdict;
  /** Whether the condition admits a token with this subject; null when the subject cannot tell. */
  admitsSubject(trust: Trust, subject: string): boolean | null;
}

/**
 * Whether any row is a GCP trust change that sets a provider's trust: the only rows a
 * ConditionJudge reads (its condition, or the one it replaces).
 */
export function needsConditionJudge(
  rows: readonly { cloud: string; category: string; trust?: unknown }[],
): boolean {
  return rows.some(
    (row) => row.cloud === 'gcp' && row.category === 'trust_change' && (trustsOf(row.trust) ?? []).length > 0,
  );
}

const FIELD_OF: Record<string, keyof Trust> = {
  attributeCondition: 'condition',
  attributeMapping: 'mapping',
  'oidc.allowedAudiences': 'audiences',
  'oidc.issuerUri': 'issuer',
};

/**
 * A provider change applied to the trust known before it: a create (no `updated`) replaces it, an
 * update changes only the fields its updateMask names.
 */
export function applyTrustChange(before: Trust | undefined, update: Trust): Trust {
  if (update.updated === undefined) return update;
  const merged: Record<string, unknown> = { ...(before ?? {}) };
  for (const path of update.updated ?? []) {
    const field = FIELD_OF[path] ?? (path === 'oidc' ? null : undefined);
    if (field === null) {
      merged.issuer = update.issuer;
      merged.audiences = update.audiences;
    } else if (field !== undefined) merged[field] = update[field];
  }
  delete merged.updated;
  return merged as Trust;
}

/** A successful AWS role trust change that sets the role's whole trust (CreateRole, UpdateAssumeRolePolicy). */
export function setsRoleTrust(row: Row): boolean {
  return (
    row.category === 'trust_change' &&
    row.outcome === 'success' &&
    row.cloud === 'aws' &&
    (row.action === 'CreateRole' || row.action === 'UpdateAssumeRolePolicy')
  );
}
