import type { BindingDelta } from '../../../normalize/gcp-iam-set-iam-policy.js';
import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';

/** Roles that let a member obtain the service account's credentials. */
const IMPERSONATION_ROLES = new Set([
  'roles/iam.workloadIdentityUser',
  'roles/iam.serviceAccountTokenCreator',
  'roles/iam.serviceAccountOpenIdTokenCreator',
]);

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

/**
 * A SetIamPolicy that lets a whole workload identity pool impersonate a service account. Any
 * repository or workload the pool's provider admits (for GitHub, every repository on github.com
 * unless an attribute condition narrows it) then becomes the account: the binding should name an
 * attribute (`…/attribute.repository/OWNER/REPO`) or a single subject instead.
 */
export const wholePoolGrant: DetectionRule = {
  id: 'whole-pool-grant',
  severity: 'high',
  scope: 'event',
  runbook:
    "Replace the principalSet://…/* member with one scoped to the repository or workload that needs it (principalSet://…/attribute.repository/OWNER/REPO), check the provider's attribute condition, and review who used the account since the change with `query principals`.",

  evaluate(rows) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (row.category !== 'trust_change' || row.outcome !== 'success') continue;
      for (const delta of deltasOf(row)) {
        const pool = typeof delta?.member === 'string' ? WHOLE_POOL.exec(delta.member)?.[1] : undefined;
        if (delta?.action !== 'ADD' || pool === undefined || !IMPERSONATION_ROLES.has(delta.role ?? ''))
          continue;
        findings.push({
          ...findingOf(
            this,
            row,
            `A whole workload identity pool was granted ${delta.role} on ${row.principal}`,
          ),
          subject: delta.member,
          identity_provider: pool,
        });
      }
    }
    return findings;
  },
};
