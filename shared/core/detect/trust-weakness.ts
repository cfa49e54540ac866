import type { ConditionJudge, Trust } from './trusts.js';

/** What a trust belongs to: an AWS role, a GCP pool's provider, or something that admits nobody by itself. */
export type TrustTarget = 'role' | 'provider' | 'other';

/** Why a trust admits far more than one workload, with the pattern to blame where there is one. */
export interface Weakness {
  readonly reason: string;
  readonly pattern: string | null;
}

/** GitHub Actions' issuer, and its per-enterprise form. */
const GITHUB_ISSUER = /^https:\/\/token\.actions\.githubusercontent\.com(\/[^/]+)?\/?$/;

/** Issuers many unrelated customers share (their tokens differ by project or organisation claims only). */
const SHARED_ISSUER =
  /^https:\/\/(token\.actions\.githubusercontent\.com|gitlab\.com|app\.terraform\.io)\/?$/;

/** A GitHub subject pattern whose owner is fixed: `repo:OWNER/…` or the immutable `repo:OWNER@ID/…`. */
const GITHUB_OWNER_FIXED = /^repo:[^*?/:@]+(@\d+)?\//;

/** Vendor-wide wildcards: a tenant or namespace field left open (`org=*`, `system:serviceaccount:*`). */
const OPEN_TENANT = /(^|:)[a-z_]+=\*|^system:serviceaccount:\*|^\*/i;

/** Why a trust admits far more than one workload: weak-trust's judgement, also trust scan's. */
export function trustWeaknesses(
  target: TrustTarget,
  trust: Trust,
  conditions: ConditionJudge | undefined,
): Weakness[] {
  const issuer = trust.issuer ?? '';
  const github = GITHUB_ISSUER.test(issuer);
  const found: Weakness[] = [];
  if (target === 'provider') {
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
  if (target !== 'role') return found; // an OIDC provider admits nobody by itself
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
