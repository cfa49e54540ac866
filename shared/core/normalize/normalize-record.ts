import { RejectError } from '../errors.js';
import type { JsonObject } from '../json-access.js';
import type { AuditRecord, CloudTrailNormalizer, NormalizeOutcome, Normalizer } from './audit-record.js';
import { awsAssumeRoleWithWebIdentity } from './aws-assume-role-with-web-identity.js';
import { awsFederatedSessionCall } from './aws-federated-session-call.js';
import { awsIamTrustChange } from './aws-iam-trust-change.js';
import { awsS3DataEvent } from './aws-s3-data-event.js';
import { gcpDirectFederatedGrant } from './gcp-direct-federated-grant.js';
import { gcpIamPoolProviderChange } from './gcp-iam-pool-provider-change.js';
import { gcpIamSetIamPolicy } from './gcp-iam-set-iam-policy.js';
import { gcpIamCredentialsToken } from './gcp-iamcredentials-token.js';
import { gcpStorageDataAccess } from './gcp-storage-data-access.js';
import { gcpStsExchangeToken } from './gcp-sts-exchange-token.js';
import { type Relevance, unionOf } from './relevance.js';

export const CLOUDTRAIL_NORMALIZERS: readonly CloudTrailNormalizer[] = [
  awsAssumeRoleWithWebIdentity,
  awsS3DataEvent,
  awsIamTrustChange,
  awsFederatedSessionCall,
];

/** The CloudTrail records some normalizer takes; every other one is skipped as `not_federation`. */
export const CLOUDTRAIL_RELEVANCE: Relevance = unionOf(CLOUDTRAIL_NORMALIZERS.map((n) => n.relevance));
export const LOG_ENTRY_NORMALIZERS: readonly Normalizer[] = [
  gcpStsExchangeToken,
  gcpIamCredentialsToken,
  gcpStorageDataAccess,
  gcpIamSetIamPolicy,
  gcpIamPoolProviderChange,
  gcpDirectFederatedGrant,
];

function run(normalizers: readonly Normalizer[], value: JsonObject): NormalizeOutcome {
  for (const normalizer of normalizers) {
    if (!normalizer.matches(value)) continue;
    try {
      return { type: 'row', kind: normalizer.kind, row: normalizer.normalize(value) };
    } catch (error) {
      if (error instanceof RejectError) return { type: 'reject', code: error.code, message: error.message };
      throw error;
    }
  }
  return { type: 'skip', reason: 'not_federation' };
}

/**
 * Turns one audit record into a row, a skip (another service's event: counted, not kept) or a
 * rejection with a code from the fixed list. Never throws for any JSON input.
 */
export function normalizeRecord(record: AuditRecord): NormalizeOutcome {
  return run(record.format === 'cloudtrail' ? CLOUDTRAIL_NORMALIZERS : LOG_ENTRY_NORMALIZERS, record.value);
}
