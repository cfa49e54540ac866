import { parseFederatedPrincipal, realEmail, serviceAccountEmail } from '../identity/gcp-identity.js';
import { asArray, asObject, asText, type JsonObject } from '../json-access.js';
import type { Normalizer } from './audit-record.js';
import { auditPayload, logEntryRow } from './log-entry-base.js';

const TOKEN_METHODS = new Set(['GenerateAccessToken', 'GenerateIdToken', 'SignJwt', 'SignBlob']);

function methodLeaf(method: unknown): string | null {
  return typeof method === 'string' ? method.slice(method.lastIndexOf('.') + 1) : null;
}

function targetServiceAccount(entry: JsonObject, payload: JsonObject): string | null {
  const chain = asArray(asObject(payload.metadata)?.identityDelegationChain);
  const resourceName = asText(payload.resourceName);
  return (
    serviceAccountEmail(asText(asObject(payload.request)?.name)) ??
    asText(asObject(asObject(entry.resource)?.labels)?.email_id) ??
    serviceAccountEmail(asText(chain[chain.length - 1])) ??
    serviceAccountEmail(resourceName) ??
    resourceName
  );
}

const UNIQUE_ID = /^\d+$/;
const NUMERIC_ACCOUNT_NAME = /^projects\/[^/]+\/serviceAccounts\/(\d+)$/;

/**
 * The service account's numeric unique id: `resource.labels.unique_id`, else the `resourceName`
 * the log writes with it (`projects/-/serviceAccounts/N`). Placeholders that are not numbers give null.
 */
function uniqueId(entry: JsonObject, payload: JsonObject): string | null {
  const label = asText(asObject(asObject(entry.resource)?.labels)?.unique_id);
  if (label !== null && UNIQUE_ID.test(label)) return label;
  return NUMERIC_ACCOUNT_NAME.exec(asText(payload.resourceName) ?? '')?.[1] ?? null;
}

/**
 * iamcredentials.googleapis.com: a caller obtains a token (or signature) as a service account.
 * The method is logged bare (`GenerateAccessToken`) or fully qualified; both match. A denied
 * read redacts the caller (`authenticationInfo: {}`), so the target is all that remains.
 */
export const gcpIamCredentialsToken: Normalizer = {
  kind: 'gcp.iamcredentials.GenerateAccessToken',

  matches(entry) {
    const payload = auditPayload(entry);
    if (!payload || !TOKEN_METHODS.has(methodLeaf(payload.methodName) ?? '')) return false;
    const service = payload.serviceName;
    return (
      service === 'iamcredentials.googleapis.com' ||
      (service === undefined && asObject(entry.resource)?.type === 'service_account')
    );
  },

  normalize(entry: JsonObject) {
    const payload = auditPayload(entry)!;
    const row = logEntryRow(entry, payload, 'iamcredentials.googleapis.com', 'impersonation');
    const auth = asObject(payload.authenticationInfo);
    const principalSubject = asText(auth?.principalSubject);
    const federated = parseFederatedPrincipal(principalSubject);
    const target = targetServiceAccount(entry, payload);

    row.principal = target;
    row.subject = federated?.subject ?? null;
    row.identity_provider = federated?.pool ?? null;
    row.resource = target;
    // GenerateIdToken's request names the token's audience; logged where the request is.
    row.audience = asText(asObject(payload.request)?.audience);
    row.minted_identity = uniqueId(entry, payload);
    row.caller = federated ? principalSubject : (realEmail(asText(auth?.principalEmail)) ?? principalSubject);
    return row;
  },
};
