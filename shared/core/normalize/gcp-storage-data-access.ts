import { parseFederatedPrincipal, realEmail } from '../identity/gcp-identity.js';
import { asArray, asObject, asText, firstText, type JsonObject } from '../json-access.js';
import type { Normalizer } from './audit-record.js';
import { auditPayload, logEntryRow } from './log-entry-base.js';

const STORAGE_METHOD = /^storage\.(?:objects|buckets)\./;
const STORAGE_RESOURCE = /^projects\/[^/]+\/buckets\/([^/]+)(?:\/objects\/(.+))?$/s;

interface Delegation {
  readonly principalSubject: string | null;
  readonly firstParty: string | null;
}

/** The first delegation step that names someone; real federated calls show `[{}]`. */
function delegation(auth: JsonObject | null): Delegation {
  for (const step of asArray(auth?.serviceAccountDelegationInfo)) {
    const entry = asObject(step);
    const principalSubject = asText(entry?.principalSubject);
    const firstParty = asText(asObject(entry?.firstPartyPrincipal)?.principalEmail);
    if (principalSubject !== null || firstParty !== null) return { principalSubject, firstParty };
  }
  return { principalSubject: null, firstParty: null };
}

/**
 * GCS Data Access, three identity patterns (events.md §7.2): a service account impersonated by a
 * federated principal (subject in the delegation chain), one impersonated by a user
 * (`firstPartyPrincipal`), and a federated principal acting directly (principal:// is the principal).
 */
export const gcpStorageDataAccess: Normalizer = {
  kind: 'gcp.storage.DataAccess',

  matches(entry) {
    const payload = auditPayload(entry);
    const service = payload?.serviceName;
    return (
      (service === 'storage.googleapis.com' || service === undefined) &&
      STORAGE_METHOD.test(payload?.methodName as string)
    );
  },

  normalize(entry: JsonObject) {
    const payload = auditPayload(entry)!;
    const row = logEntryRow(entry, payload, 'storage.googleapis.com', 'data_access');
    const auth = asObject(payload.authenticationInfo);
    const principalSubject = asText(auth?.principalSubject);
    const delegated = delegation(auth);
    const federated = parseFederatedPrincipal(delegated.principalSubject ?? principalSubject);

    const resourceName = asText(payload.resourceName);
    const parsed = resourceName === null ? null : STORAGE_RESOURCE.exec(resourceName);
    const bucket = parsed?.[1] ?? asText(asObject(asObject(entry.resource)?.labels)?.bucket_name);
    const object = parsed?.[2] ?? null;

    row.principal = realEmail(asText(auth?.principalEmail)) ?? principalSubject;
    row.subject = federated?.subject ?? null;
    row.identity_provider = federated?.pool ?? null;
    row.resource =
      bucket === null ? resourceName : object === null ? `gs://${bucket}` : `gs://${bucket}/${object}`;
    row.bucket = bucket;
    row.object = object;
    row.caller = firstText(delegated.principalSubject, delegated.firstParty);
    return row;
  },
};
