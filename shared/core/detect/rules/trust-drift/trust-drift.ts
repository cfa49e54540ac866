import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { expectationsFor } from '../../policy.js';
import { describeDrift, driftBetween } from '../../trust-drift.js';
import { trustsOf } from '../../trusts.js';

/** A change that sets a role's whole trust (a provider change or a GCP CEL condition is not compared). */
function setsRoleTrust(row: Row): boolean {
  return (
    row.category === 'trust_change' &&
    row.outcome === 'success' &&
    row.cloud === 'aws' &&
    (row.action === 'CreateRole' || row.action === 'UpdateAssumeRolePolicy')
  );
}

/**
 * A role trust change after which the cloud and the policy's `expect` disagree: the trust admits
 * subjects or audiences the team does not expect, or refuses subjects the team expects. Roles the
 * policy says nothing about are not judged. AWS role trusts only (lists of patterns compare
 * exactly; a GCP provider's CEL condition does not enumerate its subjects).
 */
export const trustDrift: DetectionRule = {
  id: 'trust-drift',
  severity: 'medium',
  scope: 'event',
  runbook:
    "Decide which side is right: narrow the role's trust policy to the subjects the policy expects, or update the policy's expect entry if the new workload is intended. `tokentrail trust scan` lists every role's trust beside the subjects that actually used it.",

  evaluate(rows, { policy }) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (!setsRoleTrust(row) || row.principal === null) continue;
      const trusts = trustsOf(row.trust);
      if (trusts === null) continue;
      const drift = driftBetween(trusts, expectationsFor(policy, row.principal));
      if (drift.length === 0) continue;
      findings.push({
        ...findingOf(
          this,
          row,
          `The trust of ${row.principal} disagrees with the policy: ${drift.map(describeDrift).join('; ')}`,
        ),
        subject: drift.find((entry) => entry.what === 'subject')?.pattern ?? null,
        identity_provider: trusts[0]?.issuer ?? null,
      });
    }
    return findings;
  },
};
