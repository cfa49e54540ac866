import { poolMembersPrefix } from '../../../identity/gcp-identity.js';
import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { expectationsFor } from '../../policy.js';
import { type Drift, describeDrift, driftBetween, poolDriftBetween } from '../../trust-drift.js';
import { setsRoleTrust, type Trust, trustsOf } from '../../trusts.js';

/** A provider created (its whole trust logged): a pool's condition can be compared with the policy. */
function createsProvider(row: Row, trusts: readonly Trust[]): boolean {
  return (
    row.category === 'trust_change' &&
    row.outcome === 'success' &&
    row.cloud === 'gcp' &&
    row.action === 'CreateWorkloadIdentityPoolProvider' &&
    trusts.every((trust) => trust.updated === undefined)
  );
}

/**
 * A role trust change after which the cloud and the policy's `expect` disagree: the trust admits
 * subjects or audiences the team does not expect, or refuses subjects the team expects. Roles the
 * policy says nothing about are not judged. A GCP provider's creation is judged against the
 * expectations for its pool's principals by evaluating its CEL condition (other owners admitted
 * while every expected subject names an owner; an exact expected subject refused).
 */
export const trustDrift: DetectionRule = {
  id: 'trust-drift',
  severity: 'medium',
  scope: 'event',
  runbook:
    "Decide which side is right: narrow the role's trust policy to the subjects the policy expects, or update the policy's expect entry if the new workload is intended. `tokentrail trust scan` lists every role's trust beside the subjects that actually used it.",

  evaluate(rows, { policy, conditions }) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (row.principal === null) continue;
      const trusts = trustsOf(row.trust);
      if (trusts === null) continue;
      let drift: Drift[];
      if (setsRoleTrust(row)) drift = driftBetween(trusts, expectationsFor(policy, row.principal));
      else if (createsProvider(row, trusts) && conditions) {
        const members = poolMembersPrefix(row.principal);
        if (members === null) continue;
        drift = poolDriftBetween(trusts, expectationsFor(policy, `${members}subject/*`), conditions);
      } else continue;
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
