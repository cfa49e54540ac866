import { type DetectionRule, findingOf, isExchange } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { expectationsFor, stringLike } from '../../policy.js';

/** A successful exchange or impersonation by a subject the policy does not list for its principal. */
export const unexpectedSubject: DetectionRule = {
  id: 'unexpected-subject',
  severity: 'high',
  scope: 'event',
  runbook:
    "Someone outside the expected repositories or workloads obtained this principal's credentials. Check the subject's origin (a fork's pull request, another org, a reused service account), tighten the trust policy's sub condition, and review what the session did with `query sql` on its credential_id.",

  evaluate(rows, { policy }) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (!isExchange(row) || row.outcome !== 'success' || row.principal === null || row.subject === null)
        continue;
      const expectations = expectationsFor(policy, row.principal);
      if (expectations.length === 0) continue; // not enforced for this principal
      const subject = row.subject;
      if (expectations.some((entry) => entry.subjects.some((pattern) => stringLike(pattern, subject))))
        continue;
      findings.push(findingOf(this, row, `A subject the policy does not expect became ${row.principal}`));
    }
    return findings;
  },
};
