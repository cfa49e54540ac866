import { pushTo } from '../../../multimap.js';
import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf, isExchange } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { expectationsFor } from '../../policy.js';

/** `repo:OWNER/REPO:...`, the GitHub Actions subject layout. */
const GITHUB_SUBJECT = /^repo:([^/:]+)\/[^:]+:/;

function ownerOf(subject: string | null): string | null {
  return subject === null ? null : (GITHUB_SUBJECT.exec(subject)?.[1] ?? null);
}

/**
 * One principal obtained by GitHub subjects of more than one owner in the window: a service
 * account or role shared across organisations (a common copy-paste trust policy). Flags the
 * exchanges of every owner but the one that uses the principal most. Principals the policy covers
 * are left to unexpected-subject, so one event does not raise two alerts.
 */
export const sharedPrincipalAcrossRepos: DetectionRule = {
  id: 'shared-principal-across-repos',
  severity: 'medium',
  scope: 'window',
  runbook:
    'Repositories of different owners obtained the same cloud principal. Give each owner its own role or service account, and pin the trust condition to the owner (token.actions.githubusercontent.com:sub or attribute.repository_owner).',

  evaluate(rows, { policy }) {
    const byPrincipal = new Map<string, Map<string, Row[]>>();
    for (const row of rows) {
      const owner = ownerOf(row.subject);
      if (!isExchange(row) || row.outcome !== 'success' || row.principal === null || owner === null) continue;
      if (expectationsFor(policy, row.principal).length > 0) continue;
      const owners = byPrincipal.get(row.principal) ?? new Map<string, Row[]>();
      pushTo(owners, owner, row);
      byPrincipal.set(row.principal, owners);
    }
    const findings: Finding[] = [];
    for (const [principal, owners] of byPrincipal) {
      if (owners.size < 2) continue;
      const [usual] = [...owners].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0]!;
      for (const [owner, ownerRows] of owners) {
        if (owner === usual) continue;
        for (const row of ownerRows) {
          findings.push(
            findingOf(this, row, `${principal} is also obtained by repositories of another GitHub owner`),
          );
        }
      }
    }
    return findings;
  },
};
