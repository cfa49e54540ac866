import { issuerFromProvider } from '../identity/aws-identity.js';
import { asArray, asObject, asText, type JsonObject } from '../json-access.js';
import type { CloudTrailNormalizer } from './audit-record.js';
import { setCallingIdentity } from './aws-s3-data-event.js';
import { cloudTrailRow } from './cloudtrail-base.js';
import type { Relevance } from './relevance.js';

/** Nested, so the clauses cannot say it: the prefilter parses any record that holds this key. */
const RELEVANCE: Relevance = { anyOf: [], nestedKeys: ['federatedProvider'] };

function federatedProviderOf(record: JsonObject): string | null {
  const identity = asObject(record.userIdentity);
  const federation = asObject(asObject(identity?.sessionContext)?.webIdFederationData);
  const provider = asText(federation?.federatedProvider);
  return provider === null || provider === '' ? null : provider;
}

function firstResourceArn(record: JsonObject): string | null {
  for (const resource of asArray(record.resources)) {
    const arn = asText(asObject(resource)?.ARN);
    if (arn !== null) return arn;
  }
  return null;
}

/**
 * Any other CloudTrail call made with a web-identity session's key (management events, or data
 * events of services other than S3): a use of the minted credential, joined to its mint through
 * `credential_id`, so the credential-use rules see where the key went. A session that is not
 * federated carries `webIdFederationData: {}` and is not taken. Registered after the other
 * CloudTrail normalizers, which take exchanges, S3 data events and trust changes first.
 */
export const awsFederatedSessionCall: CloudTrailNormalizer = {
  kind: 'aws.FederatedSessionCall',
  relevance: RELEVANCE,

  matches(record) {
    const identity = asObject(record.userIdentity);
    return (
      federatedProviderOf(record) !== null &&
      typeof identity?.accessKeyId === 'string' &&
      identity.accessKeyId !== ''
    );
  },

  normalize(record: JsonObject) {
    const provider = federatedProviderOf(record);
    const row = cloudTrailRow(record, asText(record.eventSource) ?? 'unknown', 'credential_use');
    const identity = asObject(record.userIdentity);
    setCallingIdentity(row, identity);
    row.issuer = issuerFromProvider(provider);
    row.identity_provider = provider;
    row.resource = firstResourceArn(record);
    row.credential_id = asText(identity?.accessKeyId);
    return row;
  },
};
