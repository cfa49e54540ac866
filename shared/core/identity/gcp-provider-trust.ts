import type { Trust } from '../detect/trusts.js';
import { asArray, asObject, asText, type JsonObject } from '../json-access.js';

function providerIssuer(provider: JsonObject): string | null {
  const oidc = asText(asObject(provider.oidc)?.issuerUri);
  if (oidc !== null) return oidc;
  const account = asText(asObject(provider.aws)?.accountId);
  // A SAML provider's issuer sits in its IdP metadata XML: not read here.
  return account === null ? null : `aws:${account}`;
}

/** `attributeMapping` as a map of target (`google.subject`, `attribute.repository`) to CEL expression. */
function mappingOf(provider: JsonObject): Record<string, string> | null {
  const mapping = asObject(provider.attributeMapping);
  if (mapping === null) return null;
  const entries = Object.entries(mapping).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

/**
 * The trust a workload identity pool provider sets (as a create or update request carries it, or
 * as the IAM API returns it). An update whose updateMask leaves out oidc or attributeCondition does
 * not change those: `updated` lists the fields it sets. Subjects are null because the CEL
 * condition, not a list, decides which subjects are admitted; the condition and the attribute
 * mapping it reads are kept so it can be evaluated.
 */
export function providerTrust(provider: JsonObject, updated: readonly string[] | null): Trust {
  const audiences = asArray(asObject(provider.oidc)?.allowedAudiences).filter(
    (audience): audience is string => typeof audience === 'string' && audience !== '',
  );
  const mapping = mappingOf(provider);
  return {
    issuer: providerIssuer(provider),
    // No allowedAudiences: GCP then accepts only the provider's own full resource name
    // (`//iam.googleapis.com/projects/…/providers/P`) as audience, not any audience.
    audiences: audiences.length > 0 ? audiences : null,
    subjects: null,
    condition: asText(provider.attributeCondition),
    ...(mapping === null ? {} : { mapping }),
    ...(updated === null ? {} : { updated }),
  };
}
