import { poolMembersPrefix } from '../../../identity/gcp-identity.js';
import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf, isExchange } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { stringLike } from '../../policy.js';
import { covers } from '../../trust-drift.js';
import { applyTrustChange, type ConditionJudge, setsRoleTrust, type Trust, trustsOf } from '../../trusts.js';

function sameIssuer(left: Trust, right: Trust): boolean {
  const normal = (issuer: string | null | undefined) => (issuer ?? '').replace(/\/+$/, '').toLowerCase();
  return normal(left.issuer) === normal(right.issuer);
}

/** What a new trust admits that the trusts before it did not, in words; empty when nothing. */
function widenings(before: readonly Trust[], after: readonly Trust[]): string[] {
  const found: string[] = [];
  for (const trust of after) {
    const earlier = before.filter((old) => sameIssuer(old, trust));
    if (earlier.length === 0) {
      found.push(`a new issuer, ${trust.issuer ?? 'unnamed'}`);
      continue;
    }
    const anySubject = earlier.some((old) => old.subjects === null || old.subjects === undefined);
    if (!anySubject) {
      if (trust.subjects === null || trust.subjects === undefined) found.push('any subject');
      else {
        for (const pattern of trust.subjects) {
          if (!earlier.some((old) => old.subjects!.some((known) => covers(known, pattern))))
            found.push(pattern);
        }
      }
    }
    const anyAudience = earlier.some((old) => old.audiences === null || old.audiences === undefined);
    if (!anyAudience) {
      if (trust.audiences === null || trust.audiences === undefined) found.push('any audience');
      else {
        for (const audience of trust.audiences) {
          if (!earlier.some((old) => old.audiences!.includes(audience))) found.push(`audience ${audience}`);
        }
      }
    }
  }
  return found;
}

/** Whether the trusts admit this subject from this issuer (an unknown issuer matches any). */
function admits(trusts: readonly Trust[], subject: string, issuer: string | null): boolean {
  return trusts.some(
    (trust) =>
      (issuer === null || !trust.issuer || sameIssuer(trust, { issuer })) &&
      (trust.subjects === null ||
        trust.subjects === undefined ||
        trust.subjects.some((p) => stringLike(p, subject))),
  );
}

/** A GCP provider create or update: it sets (part of) one provider's trust in a pool. */
function isProviderTrustChange(row: Row): boolean {
  return (
    row.category === 'trust_change' &&
    row.outcome === 'success' &&
    row.cloud === 'gcp' &&
    row.resource !== null &&
    (row.action === 'CreateWorkloadIdentityPoolProvider' ||
      row.action === 'UpdateWorkloadIdentityPoolProvider')
  );
}

/** What a provider's new trust admits that its previous one did not, judging the CEL conditions. */
function providerWidenings(before: Trust, after: Trust, judge: ConditionJudge | undefined): string[] {
  const found: string[] = [];
  if (!sameIssuer(before, after)) found.push(`a new issuer, ${after.issuer ?? 'unnamed'}`);
  for (const audience of after.audiences ?? []) {
    if (before.audiences && !before.audiences.includes(audience)) found.push(`audience ${audience}`);
  }
  if (before.condition && !after.condition) {
    found.push('any token of the issuer (the attribute condition was removed)');
  } else if (judge && before.condition !== after.condition) {
    const was = judge.ownerScoping(before);
    const now = judge.ownerScoping(after);
    if (was.kind === 'scoped' && now.kind === 'open') {
      const claims = Object.entries(now.example).map(([claim, value]) => `${claim}=${value}`);
      found.push(
        `tokens of other owners${claims.length > 0 ? ` (for example one with ${claims.join(', ')})` : ''}`,
      );
    }
  }
  return found;
}

function sinceText(subjects: readonly string[]): string {
  return subjects.length === 0
    ? 'no subject the previous trust refused has become it since'
    : `${subjects.length} subject(s) the previous trust refused became it since: ${subjects.join(', ')}`;
}

/**
 * A change whose new trust admits subjects, audiences or issuers the previous trust of the same
 * role or provider did not (the parsed trusts are compared, not their text; a GCP provider's CEL
 * conditions are evaluated), with the subjects that became the principal since the change and that
 * the previous trust would have refused. The previous trust is the last change before it in the
 * window, or before the window (the baseline's `trustsBefore`; for a pool, only where the pool's
 * last change before the window set a whole trust).
 */
export const trustWidened: DetectionRule = {
  id: 'trust-widened',
  severity: 'high',
  scope: 'window',
  runbook:
    'Check who made the change and why, narrow the trust back if it was not meant, and review the subjects listed: the previous trust would have refused them.',

  evaluate(rows, context) {
    const current = new Map<string, Trust[]>();
    for (const [principal, before] of context.baseline.trustsBefore ?? []) {
      const trusts = trustsOf(before.trust);
      if (trusts !== null) current.set(principal, trusts);
    }
    const providers = new Map<string, Trust>();
    const findings: Finding[] = [];
    const judge = context.conditions;
    rows.forEach((row, index) => {
      if (row.principal === null) return;
      const principal = row.principal;
      if (isProviderTrustChange(row)) {
        const [change] = trustsOf(row.trust) ?? [];
        if (change === undefined) return;
        const key = `${principal}\u0000${row.resource}`;
        const known =
          providers.get(key) ?? current.get(principal)?.find((trust) => trust.updated === undefined);
        const after = applyTrustChange(known, change);
        providers.set(key, after);
        if (known === undefined) return;
        const widened = providerWidenings(known, after, judge);
        const members = poolMembersPrefix(principal);
        const refused = new Set<string>();
        for (const later of rows.slice(index + 1)) {
          if (isProviderTrustChange(later) && later.resource === row.resource) break;
          if (members === null || !later.principal?.startsWith(members)) continue;
          if (later.category !== 'token_exchange' || later.outcome !== 'success' || later.subject === null)
            continue;
          if (judge?.admitsSubject(known, later.subject) === false) refused.add(later.subject);
        }
        if (widened.length === 0 && refused.size === 0) return;
        const subjects = [...refused];
        findings.push({
          ...findingOf(
            this,
            row,
            `The trust of ${row.resource} (${principal}) widened to admit ${widened.length > 0 ? widened.join(', ') : 'subjects its previous condition refused'}; ${sinceText(subjects)}`,
          ),
          subject: subjects[0] ?? null,
          identity_provider: row.resource,
        });
        return;
      }
      if (!setsRoleTrust(row)) return;
      const after = trustsOf(row.trust);
      if (after === null) return;
      const before = current.get(principal);
      current.set(principal, after);
      if (before === undefined) return;
      const widened = widenings(before, after);
      if (widened.length === 0) return;

      // Who became the role after the change, until its next trust change, that `before` refused.
      const refused = new Set<string>();
      for (const later of rows.slice(index + 1)) {
        if (later.principal !== principal) continue;
        if (setsRoleTrust(later)) break;
        if (!isExchange(later) || later.outcome !== 'success' || later.subject === null) continue;
        if (admits(before, later.subject, later.issuer)) continue;
        refused.add(later.subject);
      }
      const subjects = [...refused];
      findings.push({
        ...findingOf(
          this,
          row,
          `The trust of ${principal} widened to admit ${widened.join(', ')}; ${sinceText(subjects)}`,
        ),
        subject: subjects[0] ?? null,
        identity_provider: after[0]?.issuer ?? null,
      });
    });
    return findings;
  },
};
