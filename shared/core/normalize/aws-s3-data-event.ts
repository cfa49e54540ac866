import { issuerFromProvider, parseAssumedRoleArn } from '../identity/aws-identity.js';
import { asObject, asText, firstText, type JsonObject } from '../json-access.js';
import type { Row } from '../schema/row.js';
import type { CloudTrailNormalizer } from './audit-record.js';
import { cloudTrailRow, resourceArn } from './cloudtrail-base.js';
import { isRelevant, type Relevance } from './relevance.js';

/**
 * Object-level S3 API calls: data events whatever `eventCategory` says. Records written before
 * CloudTrail added the field (1.07) lack it, and relays or hand-made records may carry
 * `Management` or a value CloudTrail never writes; the event name is the stronger signal.
 */
const S3_DATA_EVENT_NAMES = [
  'AbortMultipartUpload',
  'CompleteMultipartUpload',
  'CopyObject',
  'CreateMultipartUpload',
  'DeleteObject',
  'DeleteObjects',
  'GetObject',
  'GetObjectAcl',
  'GetObjectAttributes',
  'GetObjectTagging',
  'HeadObject',
  'ListMultipartUploadParts',
  'ListObjectVersions',
  'ListObjects',
  'ListObjectsV2',
  'PutObject',
  'PutObjectAcl',
  'PutObjectTagging',
  'RestoreObject',
  'SelectObjectContent',
  'UploadPart',
  'UploadPartCopy',
];

const RELEVANCE: Relevance = {
  anyOf: [
    [
      { field: 'eventSource', oneOf: ['s3.amazonaws.com'] },
      { field: 'eventCategory', oneOf: ['Data'] },
    ],
    [
      { field: 'eventSource', oneOf: ['s3.amazonaws.com'] },
      { field: 'eventName', oneOf: S3_DATA_EVENT_NAMES },
    ],
  ],
};

const S3_ARN = /^arn:[a-z-]+:s3:::([^/]+)(?:\/(.+))?$/;

/** Who made the call: a role session acts as its role; everything else as its own ARN. */
export function setCallingIdentity(row: Row, identity: JsonObject | null): void {
  const arn = asText(identity?.arn);
  if (identity?.type === 'AssumedRole') {
    const session = parseAssumedRoleArn(arn);
    const issuer = asObject(asObject(identity.sessionContext)?.sessionIssuer);
    row.principal = firstText(issuer?.arn, session?.roleArn, arn);
    row.caller = arn;
    row.session_name = session?.sessionName ?? null;
  } else {
    row.principal = firstText(arn, identity?.invokedBy, identity?.principalId);
  }
}

/**
 * S3 data events by any identity. Web-identity sessions name their OIDC provider in
 * `webIdFederationData.federatedProvider`, but never the subject: that comes from joining
 * `credential_id` to the AssumeRoleWithWebIdentity that minted the key. `webIdFederationData: {}`
 * also appears on sessions that are not federated, so presence of the key means nothing.
 */
export const awsS3DataEvent: CloudTrailNormalizer = {
  kind: 'aws.s3.DataEvent',
  relevance: RELEVANCE,

  matches: (record) => isRelevant(record, RELEVANCE),

  normalize(record: JsonObject) {
    const row = cloudTrailRow(record, 's3.amazonaws.com', 'data_access');
    const identity = asObject(record.userIdentity);
    const request = asObject(record.requestParameters);
    const federation = asObject(asObject(identity?.sessionContext)?.webIdFederationData);
    const provider = asText(federation?.federatedProvider);

    let bucket = asText(request?.bucketName);
    let object = asText(request?.key);
    if (bucket === null || object === null) {
      const arn = S3_ARN.exec(
        resourceArn(record, 'AWS::S3::Object') ?? resourceArn(record, 'AWS::S3::Bucket') ?? '',
      );
      bucket ??= arn?.[1] ?? null;
      object ??= arn?.[2] ?? null;
    }

    setCallingIdentity(row, identity);
    row.issuer = issuerFromProvider(provider);
    row.identity_provider = provider;
    row.resource = bucket === null ? null : object === null ? `s3://${bucket}` : `s3://${bucket}/${object}`;
    row.bucket = bucket;
    row.object = object;
    row.credential_id = asText(identity?.accessKeyId);
    return row;
  },
};
