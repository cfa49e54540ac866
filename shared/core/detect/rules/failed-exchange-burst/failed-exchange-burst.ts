import { pushTo } from '../../../multimap.js';
import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf, isExchange } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';

export const BURST_DEFAULTS = { threshold: 10, windowMinutes: 10 } as const;

function setting(value: unknown, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

/**
 * N or more failed exchanges for one principal (or identity provider, when the failure names no
 * principal) within a sliding window of event time. Client SDKs retry, so single failures are noise.
 */
export const failedExchangeBurst: DetectionRule = {
  id: 'failed-exchange-burst',
  severity: 'medium',
  scope: 'window',
  runbook:
    'Many token exchanges for one principal failed in a short time: a broken deploy retrying, or someone trying tokens against the trust policy. Look at the subjects and error codes with `query failures`.',

  evaluate(rows, { policy }) {
    const settings = policy.rules[this.id] ?? {};
    const threshold = setting(settings.threshold, BURST_DEFAULTS.threshold);
    const windowMs = setting(settings.windowMinutes, BURST_DEFAULTS.windowMinutes) * 60_000;
    const failuresByTarget = new Map<string, Row[]>();
    for (const row of rows) {
      if (!isExchange(row) || row.outcome !== 'failure') continue;
      const target = row.principal ?? row.identity_provider ?? '';
      pushTo(failuresByTarget, target, row);
    }
    const findings: Finding[] = [];
    for (const failures of failuresByTarget.values()) {
      const flagged = new Set<Row>();
      let start = 0;
      for (let end = 0; end < failures.length; end++) {
        const endTime = Date.parse(failures[end]!.event_time);
        while (endTime - Date.parse(failures[start]!.event_time) > windowMs) start++;
        if (end - start + 1 >= threshold) for (let i = start; i <= end; i++) flagged.add(failures[i]!);
      }
      for (const row of flagged) {
        const target = row.principal ?? row.identity_provider ?? 'an unknown principal';
        // The burst is about the principal; the subjects vary, so the alert groups without one.
        findings.push({
          ...findingOf(
            this,
            row,
            `${threshold} or more failed token exchanges for ${target} within ${windowMs / 60_000} minutes`,
          ),
          subject: null,
        });
      }
    }
    return findings;
  },
};
