import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { expectationsFor, stringLike } from '../../policy.js';

/** AWS InvalidIdentityToken "Incorrect token audience"; GCP STS "The audience in ID Token [...] does not match". */
const AUDIENCE_REJECTED = /incorrect token audience|audience in (id token|jwt).*does not match/i;

function unexpectedAudience(row: Row, allowed: readonly string[]): boolean {
  const audience = row.audience;
  return audience !== null && !allowed.some((pattern) => stringLike(pattern, audience));
}

/**
 * A token exchange refused because its audience was wrong, or one whose audience the policy does not
 * list for the principal (on AWS the audience is recovered from principalId even on failures).
 */
export const audienceMismatch: DetectionRule = {
  id: 'audience-mismatch',
  severity: 'medium',
  scope: 'event',
  runbook:
    'A token was presented with an audience this principal does not accept. Usually a misconfigured workflow (the audience input of the auth action); repeated from an unknown subject it is someone probing with tokens minted for another service.',

  evaluate(rows, { policy }) {
    const findings: Finding[] = [];
    for (const row of rows) {
      if (row.category !== 'token_exchange') continue;
      if (row.outcome === 'failure' && AUDIENCE_REJECTED.test(row.error_message ?? '')) {
        findings.push(
          findingOf(
            this,
            row,
            `A token exchange for ${row.principal ?? 'a principal'} was refused: wrong audience`,
          ),
        );
        continue;
      }
      if (row.principal === null) continue;
      const allowed = expectationsFor(policy, row.principal).flatMap((entry) => entry.audiences ?? []);
      if (allowed.length > 0 && unexpectedAudience(row, allowed)) {
        findings.push(
          findingOf(
            this,
            row,
            `A token exchange for ${row.principal} used an audience the policy does not list`,
          ),
        );
      }
    }
    return findings;
  },
};
