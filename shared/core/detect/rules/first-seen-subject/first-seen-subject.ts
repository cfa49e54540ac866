import { type DetectionRule, findingOf, isExchange, pairKey } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { stillLearning } from '../../learning.js';

/** A subject becoming a principal for the first time against the baseline period. */
export const firstSeenSubject: DetectionRule = {
  id: 'first-seen-subject',
  severity: 'medium',
  scope: 'window',
  runbook:
    'A subject obtained this principal for the first time in the baseline period. Expected for a new repository, environment or workload; otherwise treat it like an unexpected subject. Add it to the policy once confirmed.',

  evaluate(rows, { policy, baseline }) {
    if (stillLearning(policy.rules[this.id], baseline)) return [];
    const seen = new Set(baseline.principalSubjects);
    const findings: Finding[] = [];
    for (const row of rows) {
      if (!isExchange(row) || row.outcome !== 'success' || row.principal === null || row.subject === null)
        continue;
      const key = pairKey(row.principal, row.subject);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(findingOf(this, row, `A subject became ${row.principal} for the first time`));
    }
    return findings;
  },
};
