import { type DetectionRule, findingOf, pairKey } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { stillLearning } from '../../learning.js';

/** A federated subject reaching a bucket it never reached in the baseline period (through the lineage join). */
export const subjectNewBucket: DetectionRule = {
  id: 'subject-new-bucket',
  severity: 'medium',
  scope: 'window',
  runbook:
    'This external subject read or wrote a bucket it has not touched before. Check whether the workload changed; if not, the role it assumed may be broader than it needs. `query who-accessed --bucket` shows who else reaches the bucket.',

  evaluate(rows, { policy, baseline }) {
    if (stillLearning(policy.rules[this.id], baseline)) return [];
    const seen = new Set(baseline.subjectBuckets);
    const findings: Finding[] = [];
    for (const row of rows) {
      if (
        row.category !== 'data_access' ||
        row.outcome !== 'success' ||
        row.subject === null ||
        row.bucket === null
      )
        continue;
      const key = pairKey(row.subject, row.bucket);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        ...findingOf(this, row, `A subject reached the bucket ${row.bucket} for the first time`),
        resource: row.bucket,
      });
    }
    return findings;
  },
};
