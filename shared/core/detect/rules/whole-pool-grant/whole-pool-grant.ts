import { IMPERSONATION_ROLES } from '../../../identity/gcp-identity.js';
import type { BindingDelta } from '../../../normalize/gcp-iam-set-iam-policy.js';
import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';

/** `principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/*`: every identity in the pool. */
const WHOLE_POOL =
  /^principalSet:\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+)\/\*$/;

/** Stores hand JSON columns back as text; rows from the normalizer hold the array itself. */
function deltasOf(row: Row): BindingDelta[] {
  let value: unknown = row.binding_deltas;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return [];
    }
  }
  return Array.isArray(value) ? (value as BindingDelta[]) : [];
}

/** A project (`projects/P`) or a bucket (`gs://B`): the pool's members reach it with no service account between. */
const DIRECT_TARGET = /^(?:projects\/[^/]+|gs:\/\/[^/]+)$/;

/**
 * A role that lets the member reach what the policy guards: a service account's credentials, or a
 * project's or bucket's objects (a storage role, or an impersonation role at project level, which
 * covers every account in the project). The normalizers keep only such deltas for projects and
 * buckets; the test is repeated so a row from elsewhere cannot widen the rule.
 */
function grantsReach(row: Row, role: string | null): boolean {
  if (role === null) return false;
  if (IMPERSONATION_ROLES.has(role)) return !row.resource?.startsWith('gs://');
  return role.startsWith('roles/storage.') && DIRECT_TARGET.test(row.resource ?? '');
}

/**
 * A SetIamPolicy that lets a whole workload identity pool impersonate a service account, or read
 * and write a project's or a bucket's objects directly. Any repository or workload the pool's
 * provider admits (for GitHub, every repository on github.com unless an attribute condition
 * narrows it) then becomes the account or reaches the data: the binding should name an attribute
 * (`…/attribute.repository/OWNER/REPO`) or a single subject instead. One finding per added
 * whole-pool binding, naming its role and the account, project or bucket.
 */
export const wholePoolGrant: DetectionRule = {
  id: 'whole-pool-grant',
  severity: 'high',
  scope: 'event',
  runbook:
    "Replace the principalSet://…/* member with one scoped to the repository or workload that needs it (principalSet://…/attribute.repository/OWNER/REPO), check the provider's attribute condition, and review who used the account, or read the project's or bucket's objects, since the change with `query principals`.",

  evaluate(rows) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (row.category !== 'trust_change' || row.outcome !== 'success') continue;
      const direct = DIRECT_TARGET.test(row.resource ?? '');
      for (const delta of deltasOf(row)) {
        const pool = typeof delta?.member === 'string' ? WHOLE_POOL.exec(delta.member)?.[1] : undefined;
        if (delta?.action !== 'ADD' || pool === undefined || !grantsReach(row, delta.role)) continue;
        findings.push({
          ...findingOf(
            this,
            row,
            `A whole workload identity pool was granted ${delta.role} on ${row.resource ?? row.principal}`,
          ),
          // A direct grant is about what the pool may now reach: the finding's principal is the project
          // or bucket, so grants on two of them the same day are two incidents, not one.
          ...(direct ? { principal: row.resource } : {}),
          subject: delta.member,
          identity_provider: pool,
        });
      }
    }
    return findings;
  },
};
