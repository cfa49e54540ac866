import { capLength } from '../../../alerts/inert-text.js';
import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { expectationsFor, stringLike } from '../../policy.js';

/** AWS InvalidIdentityToken "Incorrect token audience"; GCP STS "The audience in ID Token [...] does not match". */
const AUDIENCE_REJECTED = /incorrect token audience|audience in (id token|jwt).*does not match/i;

/** The token's own audience, which GCP STS quotes in brackets: `The audience in ID Token [aud] …`. */
const TOKEN_AUDIENCE = /audience in id token \[([^\]]*)\]/i;
/** `…/workloadIdentityPools/POOL/providers/PROVIDER` (or a workforce pool's). */
const POOL_PROVIDER = /(?:workloadIdentityPools|workforcePools)\/([^/]+)\/providers\/([^/]+)$/;
/** A user agent is the caller's own text: enough of it to recognise the client, no more. */
const USER_AGENT_CAP = 60;

function providerName(provider: string | null): string {
  if (provider === null) return 'an identity provider';
  const match = POOL_PROVIDER.exec(provider);
  return match ? `provider ${match[2]} (pool ${match[1]})` : `provider ${provider}`;
}

/**
 * A refused exchange, named by its principal when the log has one. GCP STS refuses before it maps
 * the token, so its log has no subject or principal: the finding then says what the log does carry,
 * the provider that refused, the audience the token presented (from the error message; the row's
 * audience is only the STS parameter, the provider's own name) and the caller.
 */
function refusal(rule: DetectionRule, row: Row): Finding {
  if (row.principal !== null || row.subject !== null)
    return findingOf(
      rule,
      row,
      `A token exchange for ${row.principal ?? 'a principal'} was refused: wrong audience`,
    );
  const caller = row.user_agent === null ? '' : `; caller ${capLength(row.user_agent, USER_AGENT_CAP)}`;
  return {
    ...findingOf(
      rule,
      row,
      `A token exchange at ${providerName(row.identity_provider)} was refused: wrong audience${caller}`,
    ),
    audience: TOKEN_AUDIENCE.exec(row.error_message ?? '')?.[1] ?? row.audience,
  };
}

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
        findings.push(refusal(this, row));
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
