import { iamResourceName, parseFederatedPrincipal } from '../identity/gcp-identity.js';
import { asObject, asText, firstText, type JsonObject } from '../json-access.js';
import type { Normalizer } from './audit-record.js';
import { auditPayload, logEntryRow } from './log-entry-base.js';

// v1 / v1beta ExchangeToken (workload and workforce pools) and workforce console WebSignIn.
const STS_METHOD = /^google\.identity\.sts\.(?:v\w+\.)?SecurityTokenService\.(?:ExchangeToken|WebSignIn)$/;

function providerName(value: string | null): string | null {
  const name = iamResourceName(value);
  return name?.includes('/providers/') ? name : null;
}

/**
 * sts.googleapis.com token exchange. `authenticationInfo.principalSubject` is the raw IdP `sub`
 * (empty for X.509), `metadata.mapped_principal` (or `mappedPrincipal`) the principal:// it maps
 * to, which later GenerateAccessToken and data-access entries show.
 */
export const gcpStsExchangeToken: Normalizer = {
  kind: 'gcp.sts.ExchangeToken',

  matches: (entry) => STS_METHOD.test(auditPayload(entry)?.methodName as string),

  normalize(entry: JsonObject) {
    const payload = auditPayload(entry)!;
    const row = logEntryRow(entry, payload, 'sts.googleapis.com', 'token_exchange');
    const metadata = asObject(payload.metadata);
    const request = asObject(payload.request);
    const mapped = firstText(metadata?.mapped_principal, metadata?.mappedPrincipal);
    const federated = parseFederatedPrincipal(mapped);
    const audience = asText(request?.audience);
    const provider =
      providerName(asText(payload.resourceName)) ??
      providerName(asText(request?.provider)) ??
      providerName(audience) ??
      federated?.pool ??
      null;

    row.principal = mapped;
    row.subject =
      asText(asObject(payload.authenticationInfo)?.principalSubject) ?? federated?.subject ?? null;
    row.identity_provider = provider;
    row.audience = audience;
    row.resource = provider;
    return row;
  },
};
