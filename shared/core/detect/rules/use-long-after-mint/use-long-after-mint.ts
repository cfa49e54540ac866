import { credentialUses } from '../../credential-uses.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { stringLike } from '../../policy.js';

export const LONG_AFTER_MINT_DEFAULTS = { afterMinutes: 120 } as const;

/** Subjects of CI jobs, which end within hours: GitHub Actions, GitLab CI, Terraform Cloud runs. */
const CI_SUBJECT = /^(repo:|project_path:|organization:[^:]+:project:)/;

function minutesFor(
  principal: string | null,
  subject: string | null,
  settings: Record<string, unknown>,
): number | null {
  const perPrincipal = settings.principals;
  if (principal !== null && typeof perPrincipal === 'object' && perPrincipal !== null) {
    for (const [pattern, minutes] of Object.entries(perPrincipal)) {
      if (typeof minutes === 'number' && minutes > 0 && stringLike(pattern, principal)) return minutes;
    }
  }
  if (subject === null || !CI_SUBJECT.test(subject)) return null;
  const after = settings.afterMinutes;
  return typeof after === 'number' && after > 0 ? after : LONG_AFTER_MINT_DEFAULTS.afterMinutes;
}

/**
 * A minted credential used long after the workload that minted it would have finished: by default
 * a CI job's credential (GitHub, GitLab, Terraform Cloud subjects) used more than `afterMinutes`
 * (120) after its mint; `principals` sets the minutes per principal pattern, for any subject. One
 * finding per credential, at its first late use.
 */
export const useLongAfterMint: DetectionRule = {
  id: 'use-long-after-mint',
  severity: 'high',
  scope: 'window',
  runbook:
    "A job's short-lived credential was used after the job would have ended: someone kept it. Find where it was copied (job logs, caches, artifacts), revoke the session, and shorten the role's maximum session duration.",

  evaluate(rows, context) {
    const settings = (context.policy.rules[this.id] ?? {}) as Record<string, unknown>;
    const flagged = new Set<string>();
    const findings: Finding[] = [];
    for (const { use, mint } of credentialUses(rows, context.baseline.mints ?? [])) {
      if (flagged.has(mint.event_id)) continue;
      const minutes = minutesFor(mint.principal, mint.subject, settings);
      if (minutes === null) continue;
      const late = (Date.parse(use.event_time) - Date.parse(mint.event_time)) / 60_000;
      if (late <= minutes) continue;
      flagged.add(mint.event_id);
      findings.push({
        ...findingOf(
          this,
          use,
          `A credential minted for ${mint.subject} as ${mint.principal} was used ${Math.round(late)} minutes after its mint (more than ${minutes}): ${use.action}${use.resource ? ` on ${use.resource}` : ''}`,
        ),
        subject: mint.subject ?? use.subject,
      });
    }
    return findings;
  },
};
