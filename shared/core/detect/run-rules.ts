import type { Row } from '../schema/row.js';
import type { DetectionRule, RuleContext } from './detection-rule.js';
import type { Finding } from './finding.js';
import { suppressionFor } from './policy.js';

/**
 * Runs every enabled rule over one window's rows (ordered by event_time) and applies the policy:
 * per-rule severity overrides and suppressions that have not expired at the finding's time.
 */
export function runRules(
  rules: readonly DetectionRule[],
  rows: readonly Row[],
  context: RuleContext,
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const settings = context.policy.rules[rule.id];
    if (settings?.enabled === false) continue;
    for (const finding of rule.evaluate(rows, context)) {
      if (suppressionFor(context.policy, finding, finding.event_time) !== null) continue;
      findings.push(settings?.severity ? { ...finding, severity: settings.severity } : finding);
    }
  }
  return findings;
}
