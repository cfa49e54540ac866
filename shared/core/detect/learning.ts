import type { Baseline } from './detection-rule.js';
import type { RuleSettings } from './policy.js';

export const DEFAULT_LEARNING_DAYS = 14;

/**
 * Rules that learn what is normal stay quiet until the store holds `learningDays` of history
 * before the window under review; otherwise everything would be "first seen" on day one.
 */
export function stillLearning(settings: RuleSettings | undefined, baseline: Baseline): boolean {
  if (baseline.historyStart === null) return true;
  const days = typeof settings?.learningDays === 'number' ? settings.learningDays : DEFAULT_LEARNING_DAYS;
  return Date.parse(baseline.windowStart) - Date.parse(baseline.historyStart) < days * 86_400_000;
}
