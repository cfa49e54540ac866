import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { type ConditionJudge, type Trust, trustsOf } from '../../trusts.js';

/** GitHub Actions' issuer, and its per-enterprise form. */
const GITHUB_ISSUER = /^https:\/\/token\.actions\.githubusercontent\.com(\/[^/]+)?\/?$/;

/** Issuers many unrelated customers share (their tokens differ by project or organisation claims only). */
const SHARED_ISSUER =
  /^https:\/\/(token\.actions\.githubusercontent\.com|gitlab\.com|app\.terraform\.io)\/?$/;

/** A GitHub subject pattern whose owner is fixed: `repo:OWNER/…` or the immutable `repo:OWNER@ID/…`. */
const GITHUB_OWNER_FIXED = /^repo:[^*?/:@]+(@\d+)?\//;

/** Vendor-wide wildcards: a tenant or namespace field left open (`org=*`, `system:serviceaccount:*`). */
const OPEN_TENANT = /(^|:)[a-z_]+=\*|^system:serviceaccount:\*|^\*/i;

/** Why a trust admits far more than one workload, with the pattern to blame where there is one. */
function weaknesses(
  row: Row,
  trust: Trust,
  conditions: ConditionJudge | undefined,
): { reason: string; pattern: string | null }[] {
  const issuer = trust.issuer ?? '';
  const github = GITHUB_ISSUER.test(issuer);
  const found: { reason: string; pattern: string | null }[] = [];
  if (row.cloud === 'gcp') {
    // Only where this change sets the condition: an update that leaves it alone says nothing about it.
    const setsCondition = trust.updated === undefined || trust.updated.includes('attributeCondition');
    if (!SHARED_ISSUER.test(issuer) || !setsCondition) return found;
    const provider = github ? 'a GitHub provider' : `a provider for ${issuer}`;
    if (!trust.condition) {
      found.push({
        reason: github
          ? 'a GitHub provider without an attribute condition: any repository on GitHub can exchange'
          : `${provider} without an attribute condition: any of its users' projects can exchange`,
        pattern: null,
      });
    } else {
      const verdict = conditions?.ownerScoping(trust);
      if (verdict?.kind === 'open') {
        const claims = Object.entries(verdict.example).map(([claim, value]) => `${claim}=${value}`);
        const example = claims.length > 0 ? ` (for example one with ${claims.join(', ')})` : '';
        found.push({
          reason: `${provider} whose attribute condition does not fix the owner: another owner's token is admitted${example}`,
          pattern: null,
        });
      }
    }
    return found;
  }
  if (!/Role|AssumeRolePolicy/.test(row.action)) return found; // an OIDC provider change admits nobody by itself
  if (trust.subjects === null || trust.subjects === undefined) {
    found.push({
      reason: github
        ? 'no subject condition: any repository on GitHub can assume it'
        : 'no subject condition: anyone the issuer signs a token for can assume it',
      pattern: null,
    });
  } else {
    for (const pattern of trust.subjects) {
      if (github ? !GITHUB_OWNER_FIXED.test(pattern) : OPEN_TENANT.test(pattern)) {
        found.push({ reason: `the subject pattern ${pattern} leaves the owner open`, pattern });
      }
    }
  }
  if (github && (trust.audiences === null || trust.audiences === undefined)) {
    found.push({ reason: 'no audience condition on a GitHub trust', pattern: null });
  }
  return found;
}

/**
 * A trust that admits far more than one workload: an OIDC trust without a subject condition, a
 * subject wildcard before the owner (`repo:*`, or `*` in the owner part), a vendor-wide wildcard (`org=*`,
 * `system:serviceaccount:*`), a GitHub trust without an audience condition, a GitHub provider
 * without an attribute condition. One finding per change, naming every weakness it holds.
 */
export const weakTrust: DetectionRule = {
  id: 'weak-trust',
  severity: 'high',
  scope: 'event',
  runbook:
    'Narrow the trust to the workloads that need it: a subject condition naming the owner and repository (repo:OWNER/REPO:…), an audience condition, or for a GCP provider an attribute condition on the owner; then review who became the principal since the change with `query principals`.',

  evaluate(rows, context) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (row.category !== 'trust_change' || row.outcome !== 'success') continue;
      const found = (trustsOf(row.trust) ?? []).flatMap((trust) =>
        weaknesses(row, trust, context.conditions).map((weakness) => ({
          ...weakness,
          issuer: trust.issuer ?? null,
        })),
      );
      if (found.length === 0) continue;
      findings.push({
        ...findingOf(this, row, `A weak trust on ${row.principal}: ${found.map((f) => f.reason).join('; ')}`),
        subject: found.find((f) => f.pattern !== null)?.pattern ?? null,
        identity_provider: found[0]!.issuer,
      });
    }
    return findings;
  },
};
