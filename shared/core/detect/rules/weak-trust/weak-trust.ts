import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { type TrustTarget, trustWeaknesses } from '../../trust-weakness.js';
import { trustsOf } from '../../trusts.js';

/** What a changed trust belongs to, from the change's cloud and action. */
function targetOf(row: Row): TrustTarget {
  if (row.cloud === 'gcp') return 'provider';
  return /Role|AssumeRolePolicy/.test(row.action) ? 'role' : 'other';
}

/**
 * A trust that admits far more than one workload: an OIDC trust without a subject condition, a
 * subject wildcard before the owner (`repo:*`, or `*` in the owner part), a vendor-wide wildcard (`org=*`,
 * `system:serviceaccount:*`), a GitHub trust without an audience condition, a GitHub provider
 * without an attribute condition. One finding per change, naming every weakness it holds.
 */
export const weakTrust: DetectionRule = {
  id: 'weak-trust',
  severity: 'high',
  scope: 'event',
  runbook:
    'Narrow the trust to the workloads that need it: a subject condition naming the owner and repository (repo:OWNER/REPO:…), an audience condition, or for a GCP provider an attribute condition on the owner; then review who became the principal since the change with `query principals`.',

  evaluate(rows, context) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (row.category !== 'trust_change' || row.outcome !== 'success') continue;
      const found = (trustsOf(row.trust) ?? []).flatMap((trust) =>
        trustWeaknesses(targetOf(row), trust, context.conditions).map((weakness) => ({
          ...weakness,
          issuer: trust.issuer ?? null,
        })),
      );
      if (found.length === 0) continue;
      findings.push({
        ...findingOf(this, row, `A weak trust on ${row.principal}: ${found.map((f) => f.reason).join('; ')}`),
        subject: found.find((f) => f.pattern !== null)?.pattern ?? null,
        identity_provider: found[0]!.issuer,
      });
    }
    return findings;
  },
};
