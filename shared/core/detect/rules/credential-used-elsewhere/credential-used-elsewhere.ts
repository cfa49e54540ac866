import { credentialUses } from '../../credential-uses.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { describeNetwork } from '../../network-words.js';

/**
 * A minted credential used from another network than the one that minted it: an AWS access key
 * from AssumeRoleWithWebIdentity used (S3 data events, or any call carrying the key) from outside
 * the mint's /24 (/48) and published range, or a GCP service account token minted for a federated
 * subject and then used for that subject from elsewhere within its hour. Calls AWS services make
 * for the user (`s3.amazonaws.com`, `AWS Internal`), private addresses (a VPC endpoint's) and
 * unknown addresses are never evidence.
 * One finding per credential and network it was used from.
 */
export const credentialUsedElsewhere: DetectionRule = {
  id: 'credential-used-elsewhere',
  severity: 'critical',
  scope: 'window',
  runbook:
    'A credential left the workload that minted it. Revoke the role session (an inline deny on aws:TokenIssueTime, or revoke the service account token by disabling the key path), find how it leaked (logs printing credentials, a compromised runner or dependency), and review what the other network did with `query sql` on its credential_id.',

  evaluate(rows, context) {
    const network = context.network;
    if (network === undefined) return [];
    const seen = new Set<string>();
    const findings: Finding[] = [];
    for (const { use, mint } of credentialUses(rows, context.baseline.mints ?? [])) {
      const minted = network.of(mint.source_ip);
      const used = network.of(use.source_ip);
      if (network.same(minted, used) !== false || used.kind !== 'address') continue;
      if (network.isPrivate(used.address) || (minted.kind === 'address' && network.isPrivate(minted.address)))
        continue;
      const key = `${mint.event_id}\u0000${used.block}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        ...findingOf(
          this,
          use,
          `A credential minted for ${mint.subject ?? 'an unknown subject'} as ${mint.principal ?? 'an unknown principal'} from ${describeNetwork(minted)} was used from ${describeNetwork(used)} (${use.action}${use.resource ? ` on ${use.resource}` : ''})`,
        ),
        subject: mint.subject ?? use.subject,
      });
    }
    return findings;
  },
};
