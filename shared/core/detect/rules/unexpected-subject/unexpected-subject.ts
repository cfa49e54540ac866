import { type DetectionRule, findingOf, isExchange } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { expectationsFor, stringLike } from '../../policy.js';

/** `repo`, `system`, `arn`: the kind of subject a pattern or subject is, by its first segment. */
function kindOf(value: string): string {
  const colon = value.indexOf(':');
  return colon < 0 ? value : value.slice(0, colon);
}

/** Whether the policy lists subjects of the root's kind for this principal (so it can judge the root). */
function speaksFor(patterns: readonly string[], root: string): boolean {
  const kind = kindOf(root);
  return patterns.some((pattern) => !/[*?]/.test(kindOf(pattern)) && kindOf(pattern) === kind);
}

/**
 * A successful exchange or impersonation by a subject the policy does not list for its principal.
 * For one that continues a cross-cloud chain (an AWS role session exchanged at GCP), the chain's
 * root subject is judged as well, where the policy lists subjects of the root's kind for the
 * principal (`repo:acme/*` beside `arn:aws:sts::…`): an expected session started by an unexpected
 * repository is flagged.
 */
export const unexpectedSubject: DetectionRule = {
  id: 'unexpected-subject',
  severity: 'high',
  scope: 'event',
  runbook:
    "Someone outside the expected repositories or workloads obtained this principal's credentials. Check the subject's origin (a fork's pull request, another org, a reused service account), tighten the trust policy's sub condition, and review what the session did with `query sql` on its credential_id.",

  evaluate(rows, { policy, baseline }) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (!isExchange(row) || row.outcome !== 'success' || row.principal === null || row.subject === null)
        continue;
      const expectations = expectationsFor(policy, row.principal);
      if (expectations.length === 0) continue; // not enforced for this principal
      const patterns = expectations.flatMap((entry) => entry.subjects);
      const subject = row.subject;
      if (!patterns.some((pattern) => stringLike(pattern, subject))) {
        findings.push(findingOf(this, row, `A subject the policy does not expect became ${row.principal}`));
        continue;
      }
      const root = baseline.rootSubjects?.get(row.event_id);
      if (root === undefined || root === subject || !speaksFor(patterns, root)) continue;
      if (patterns.some((pattern) => stringLike(pattern, root))) continue;
      findings.push({
        ...findingOf(
          this,
          row,
          `${row.principal} was reached through a chain whose root subject the policy does not expect (${subject} is expected; the chain started at ${root})`,
        ),
        subject: root,
      });
    }
    return findings;
  },
};
