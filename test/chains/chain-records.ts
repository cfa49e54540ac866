import type { JsonObject } from '../../shared/core/json-access.js';

/**
 * Audit records of cross-cloud chains, shaped as the normalizer fixtures and events.md document
 * them: AssumeRoleWithWebIdentity (§2), an S3 data event by its session (§4), GCP STS exchanges
 * (§6), iamcredentials token calls (§5; GenerateIdToken has no public sample and is shaped as
 * GenerateAccessToken is logged) and GCS data access as a service account (§7.2).
 */
export interface ChainRecord {
  readonly format: 'cloudtrail' | 'logentry';
  readonly value: JsonObject;
}

export const ACCOUNT = '111122223333';
export const GITHUB_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
export const AWS_POOL = 'projects/556677889900/locations/global/workloadIdentityPools/aws-pool';
export const GITHUB_POOL = 'projects/998877665544/locations/global/workloadIdentityPools/github-pool';
export const DATA_PROJECT = 'acme-data-prod';
export const WIF_PROJECT = 'acme-wif-prod';

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-04-16T03:46:56Z` -> `Apr 16, 2025, 3:46:56 AM`, the locale form CloudTrail logs. */
function localeExpiration(iso: string): string {
  const date = new Date(iso);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${month} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${hour12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

interface Exchange {
  readonly id: string;
  readonly time: string;
  readonly role: string;
  readonly session: string;
  readonly key: string;
  readonly subject: string;
  readonly durationSeconds?: number;
  /** `github` (an IAM OIDC provider) or `google` (accounts.google.com, built in). */
  readonly issuer?: 'github' | 'google';
}

/** A successful AssumeRoleWithWebIdentity. */
export function assumeRoleWithWebIdentity(exchange: Exchange): ChainRecord {
  const duration = exchange.durationSeconds ?? 3600;
  const expires = new Date(Date.parse(exchange.time) + duration * 1000).toISOString().replace('.000Z', 'Z');
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${exchange.role}`;
  const google = exchange.issuer === 'google';
  const provider = google ? 'accounts.google.com' : GITHUB_PROVIDER;
  const audience = google ? exchange.subject : 'sts.amazonaws.com';
  return {
    format: 'cloudtrail',
    value: {
      eventVersion: '1.08',
      userIdentity: {
        type: 'WebIdentityUser',
        principalId: `${provider}:${audience}:${exchange.subject}`,
        userName: exchange.subject,
        identityProvider: provider,
      },
      eventTime: exchange.time,
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithWebIdentity',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.17',
      userAgent:
        'aws-sdk-nodejs/2.1692.0 linux/v20.18.1 configure-aws-credentials-for-github-actions promise',
      requestParameters: { roleArn, roleSessionName: exchange.session, durationSeconds: duration },
      responseElements: {
        credentials: { accessKeyId: exchange.key, sessionToken: '', expiration: localeExpiration(expires) },
        subjectFromWebIdentityToken: exchange.subject,
        assumedRoleUser: {
          assumedRoleId: `AROAEXAMPLE${exchange.role.toUpperCase().replaceAll('-', '')}:${exchange.session}`,
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${exchange.role}/${exchange.session}`,
        },
        provider,
        audience,
      },
      requestID: `req-${exchange.id}`,
      eventID: exchange.id,
      readOnly: true,
      resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

/** An S3 GetObject made with a web-identity session's key. */
export function s3GetObject(read: {
  id: string;
  time: string;
  role: string;
  session: string;
  key: string;
  bucket: string;
  object: string;
  provider?: string;
}): ChainRecord {
  return {
    format: 'cloudtrail',
    value: {
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLE:${read.session}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${read.role}/${read.session}`,
        accountId: ACCOUNT,
        accessKeyId: read.key,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: `arn:aws:iam::${ACCOUNT}:role/${read.role}`,
            accountId: ACCOUNT,
            userName: read.role,
          },
          webIdFederationData: { federatedProvider: read.provider ?? GITHUB_PROVIDER, attributes: {} },
          attributes: { creationDate: read.time, mfaAuthenticated: 'false' },
        },
      },
      eventTime: read.time,
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.17',
      userAgent: '[aws-cli/2.22.0]',
      requestParameters: { bucketName: read.bucket, key: read.object },
      responseElements: null,
      requestID: `S3${read.id.toUpperCase()}`,
      eventID: read.id,
      readOnly: true,
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${read.bucket}/${read.object}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${read.bucket}` },
      ],
      eventType: 'AwsApiCall',
      recipientAccountId: ACCOUNT,
      eventCategory: 'Data',
    },
  };
}

function logEntry(
  project: string,
  insertId: string,
  timestamp: string,
  resource: JsonObject,
  protoPayload: JsonObject,
): ChainRecord {
  return {
    format: 'logentry',
    value: {
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        status: {},
        ...protoPayload,
      },
      insertId,
      resource,
      timestamp,
      severity: 'INFO',
      logName: `projects/${project}/logs/cloudaudit.googleapis.com%2Fdata_access`,
      receiveTimestamp: timestamp,
    },
  };
}

/** `principal://iam.googleapis.com/POOL/subject/SUBJECT`. */
export const federatedPrincipal = (pool: string, subject: string) =>
  `principal://iam.googleapis.com/${pool}/subject/${subject}`;

/** A successful STS ExchangeToken on a workload pool; an AWS provider's subject is the role session ARN. */
export function stsExchangeToken(exchange: {
  insertId: string;
  time: string;
  project: string;
  pool: string;
  provider: string;
  subject: string;
  aws?: boolean;
}): ChainRecord {
  const providerName = `${exchange.pool}/providers/${exchange.provider}`;
  return logEntry(
    exchange.project,
    exchange.insertId,
    exchange.time,
    {
      type: 'audited_resource',
      labels: {
        service: 'sts.googleapis.com',
        project_id: exchange.project,
        method: 'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
      },
    },
    {
      authenticationInfo: { principalSubject: exchange.subject },
      requestMetadata: {
        callerIp: '198.51.100.17',
        callerSuppliedUserAgent: 'google-api-nodejs-client/9.15.1',
      },
      serviceName: 'sts.googleapis.com',
      methodName: 'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
      authorizationInfo: [
        { permission: 'sts.identityProviders.checkLogging', granted: false, permissionType: 'ADMIN_READ' },
      ],
      resourceName: providerName,
      request: {
        '@type': 'type.googleapis.com/google.identity.sts.v1.ExchangeTokenRequest',
        audience: `//iam.googleapis.com/${providerName}`,
        grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        subjectTokenType: exchange.aws
          ? 'urn:ietf:params:aws:token-type:aws4_request'
          : 'urn:ietf:params:oauth:token-type:jwt',
      },
      metadata: {
        '@type': 'type.googleapis.com/google.identity.sts.v1.AuditData',
        mapped_principal: federatedPrincipal(exchange.pool, exchange.subject),
      },
    },
  );
}

/** A federated principal's GenerateAccessToken or GenerateIdToken for a service account. */
export function iamCredentialsToken(call: {
  insertId: string;
  time: string;
  method: 'GenerateAccessToken' | 'GenerateIdToken';
  project: string;
  caller: string;
  account: string;
  uniqueId: string;
  audience?: string;
}): ChainRecord {
  const name = `projects/-/serviceAccounts/${call.account}`;
  const idToken = call.method === 'GenerateIdToken';
  return logEntry(
    call.project,
    call.insertId,
    call.time,
    {
      type: 'service_account',
      labels: { email_id: call.account, project_id: call.project, unique_id: call.uniqueId },
    },
    {
      authenticationInfo: { principalSubject: call.caller, serviceAccountDelegationInfo: [{}] },
      authorizationInfo: [
        {
          granted: true,
          permission: idToken ? 'iam.serviceAccounts.getOpenIdToken' : 'iam.serviceAccounts.getAccessToken',
          permissionType: 'ADMIN_READ',
          resourceAttributes: {},
        },
      ],
      metadata: { identityDelegationChain: [name] },
      methodName: call.method,
      request: {
        '@type': `type.googleapis.com/google.iam.credentials.v1.${call.method}Request`,
        name,
        ...(call.audience === undefined ? {} : { audience: call.audience, includeEmail: true }),
      },
      requestMetadata: { callerIp: '198.51.100.17', callerSuppliedUserAgent: 'Go-http-client/2.0,gzip(gfe)' },
      resourceName: `projects/-/serviceAccounts/${call.uniqueId}`,
      serviceName: 'iamcredentials.googleapis.com',
    },
  );
}

/** storage.objects.get as a service account on behalf of a federated principal. */
export function gcsObjectsGet(read: {
  insertId: string;
  time: string;
  project: string;
  account: string;
  delegatedFrom: string;
  bucket: string;
  object: string;
}): ChainRecord {
  const resourceName = `projects/_/buckets/${read.bucket}/objects/${read.object}`;
  return logEntry(
    read.project,
    read.insertId,
    read.time,
    {
      type: 'gcs_bucket',
      labels: { project_id: read.project, location: 'us-east4', bucket_name: read.bucket },
    },
    {
      authenticationInfo: {
        principalEmail: read.account,
        serviceAccountDelegationInfo: [{ principalSubject: read.delegatedFrom }],
      },
      requestMetadata: {
        callerIp: '198.51.100.17',
        callerSuppliedUserAgent: 'gcloud-python/3.1.0,gzip(gfe)',
      },
      serviceName: 'storage.googleapis.com',
      methodName: 'storage.objects.get',
      authorizationInfo: [
        { resource: resourceName, permission: 'storage.objects.get', granted: true, resourceAttributes: {} },
      ],
      resourceName,
    },
  );
}
