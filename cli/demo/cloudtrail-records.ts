/**
 * CloudTrail records of web-identity federation, in the shapes of events.md §2–§4: STS
 * AssumeRoleWithWebIdentity (success, and failure with `responseElements: null`) and S3 data
 * events made with the credentials it minted. The caller says what happened; incidental ids
 * (eventID, requestID, x-amz-id-2) come from `random`.
 */
import type { JsonObject } from '../../shared/core/json-access.js';
import { cloudTrailTime, credentialExpiration } from './log-time.js';
import { between, hex, mixedAlnum, type Random, upperAlnum, uuid } from './random.js';

export interface AwsRole {
  readonly account: string;
  readonly name: string;
  /** The role's unique id (`AROA…`), the first half of every session's principalId. */
  readonly id: string;
}

export function roleArn(role: AwsRole): string {
  return `arn:aws:iam::${role.account}:role/${role.name}`;
}

export function assumedRoleArn(role: AwsRole, sessionName: string): string {
  return `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`;
}

/** What a caller sent to STS, and from where. */
export interface WebIdentityCall {
  readonly time: number;
  readonly region: string;
  readonly providerArn: string;
  readonly audience: string;
  readonly subject: string;
  readonly role: AwsRole;
  readonly sessionName: string;
  readonly durationSeconds?: number;
  readonly sourceIp: string;
  readonly userAgent: string;
}

export type WebIdentityResult =
  | { readonly accessKeyId: string }
  | { readonly errorCode: string; readonly errorMessage: string };

export function assumeRoleWithWebIdentityRecord(
  random: Random,
  call: WebIdentityCall,
  result: WebIdentityResult,
): JsonObject {
  const arn = roleArn(call.role);
  const duration = call.durationSeconds ?? 3600;
  const succeeded = 'accessKeyId' in result;
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `${call.providerArn}:${call.audience}:${call.subject}`,
      userName: call.subject,
      identityProvider: call.providerArn,
    },
    eventTime: cloudTrailTime(call.time),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
    ...(succeeded ? {} : { errorCode: result.errorCode, errorMessage: result.errorMessage }),
    requestParameters: { roleArn: arn, roleSessionName: call.sessionName, durationSeconds: duration },
    responseElements: succeeded
      ? {
          credentials: {
            accessKeyId: result.accessKeyId,
            sessionToken: '',
            expiration: credentialExpiration(call.time + duration * 1000),
          },
          subjectFromWebIdentityToken: call.subject,
          assumedRoleUser: {
            assumedRoleId: `${call.role.id}:${call.sessionName}`,
            arn: assumedRoleArn(call.role, call.sessionName),
          },
          provider: call.providerArn,
          audience: call.audience,
        }
      : null,
    ...(succeeded
      ? {
          additionalEventData: {
            identityProviderConnectionVerificationMethod: 'IAMTrustStore',
            RequestDetails: { awsServingRegion: call.region, endpointType: 'regional' },
          },
        }
      : {}),
    requestID: uuid(random),
    eventID: uuid(random),
    readOnly: true,
    resources: [{ accountId: call.role.account, type: 'AWS::IAM::Role', ARN: arn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: call.role.account,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `sts.${call.region}.amazonaws.com`,
    },
  };
}

/** The credentials an AssumeRoleWithWebIdentity minted, as its later calls carry them. */
export interface RoleSession {
  readonly role: AwsRole;
  readonly sessionName: string;
  readonly accessKeyId: string;
  readonly providerArn: string;
  readonly createdAt: number;
}

export type S3Operation = (
  | {
      readonly eventName: 'GetObject' | 'HeadObject' | 'PutObject';
      readonly bucket: string;
      readonly key: string;
    }
  | { readonly eventName: 'ListObjects'; readonly bucket: string; readonly prefix: string }
) & {
  /**
   * An AWS service making the call with the session's credentials on the caller's behalf (forward
   * access sessions): CloudTrail logs the service's name as source address and user agent.
   */
  readonly viaService?: string;
};

export interface S3Call {
  readonly time: number;
  readonly region: string;
  readonly session: RoleSession;
  readonly operation: S3Operation;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** Set when the bucket is reached through a VPC gateway endpoint (pods, not CI runners). */
  readonly vpcEndpointId?: string;
  readonly denied?: boolean;
}

function s3Request(operation: S3Operation, host: string): JsonObject {
  if (operation.eventName === 'ListObjects') {
    return {
      'list-type': '2',
      bucketName: operation.bucket,
      'encoding-type': 'url',
      prefix: operation.prefix,
      Host: host,
    };
  }
  return { bucketName: operation.bucket, Host: host, key: operation.key };
}

function s3Resources(operation: S3Operation, account: string): JsonObject[] {
  const bucket = { accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${operation.bucket}` };
  if (operation.eventName === 'ListObjects') return [bucket];
  return [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${operation.bucket}/${operation.key}` }, bucket];
}

/**
 * An S3 data event by a web-identity role session (§4.1 userIdentity + §4.2 fields): the join key
 * back to the mint is `userIdentity.accessKeyId`; `managementEvent` is absent on data events.
 */
export function s3DataEventRecord(random: Random, call: S3Call): JsonObject {
  const { session, operation } = call;
  const account = session.role.account;
  const host = `${operation.bucket}.s3.${call.region}.amazonaws.com`;
  const writes = operation.eventName === 'PutObject';
  const bytes = call.denied || operation.eventName === 'HeadObject' ? 0 : between(random, 900, 4_000_000);
  return {
    eventVersion: '1.11',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `${session.role.id}:${session.sessionName}`,
      arn: assumedRoleArn(session.role, session.sessionName),
      accountId: account,
      accessKeyId: session.accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: session.role.id,
          arn: roleArn(session.role),
          accountId: account,
          userName: session.role.name,
        },
        webIdFederationData: { federatedProvider: session.providerArn, attributes: {} },
        attributes: { creationDate: cloudTrailTime(session.createdAt), mfaAuthenticated: 'false' },
      },
    },
    eventTime: cloudTrailTime(call.time),
    eventSource: 's3.amazonaws.com',
    eventName: operation.eventName,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
    ...(call.denied ? { errorCode: 'AccessDenied', errorMessage: 'Access Denied' } : {}),
    requestParameters: s3Request(operation, host),
    responseElements:
      writes && !call.denied
        ? { 'x-amz-server-side-encryption': 'AES256', 'x-amz-version-id': hex(random, 32) }
        : null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: writes ? bytes : 0,
      ...(writes && !call.denied ? { SSEApplied: 'Default_SSE_S3' } : {}),
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': `${mixedAlnum(random, 75)}=`,
      bytesTransferredOut: writes ? 0 : bytes,
    },
    requestID: upperAlnum(random, 16),
    eventID: uuid(random),
    readOnly: !writes,
    resources: s3Resources(operation, account),
    eventType: 'AwsApiCall',
    recipientAccountId: account,
    ...(call.vpcEndpointId ? { vpcEndpointId: call.vpcEndpointId, vpcEndpointAccountId: account } : {}),
    eventCategory: 'Data',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: host,
    },
  };
}

/** Who changed a role's trust, and what they set (an IAM management event, logged in us-east-1). */
export interface TrustPolicyChange {
  readonly time: number;
  readonly role: AwsRole;
  readonly providerArn: string;
  readonly issuerHost: string;
  readonly audience: string;
  /** StringLike patterns for `sub`. */
  readonly subjects: readonly string[];
  readonly changedBy: { readonly roleName: string; readonly sessionName: string; readonly ip: string };
}

/** UpdateAssumeRolePolicy: the policy document arrives as a JSON string in `requestParameters`. */
export function updateAssumeRolePolicyRecord(random: Random, change: TrustPolicyChange): JsonObject {
  const account = change.role.account;
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: change.providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${change.issuerHost}:aud`]: change.audience },
          StringLike: { [`${change.issuerHost}:sub`]: change.subjects },
        },
      },
    ],
  };
  const adminId = `AROA${upperAlnum(random, 17)}`;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `${adminId}:${change.changedBy.sessionName}`,
      arn: `arn:aws:sts::${account}:assumed-role/${change.changedBy.roleName}/${change.changedBy.sessionName}`,
      accountId: account,
      accessKeyId: `ASIA${upperAlnum(random, 16)}`,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: adminId,
          arn: `arn:aws:iam::${account}:role/${change.changedBy.roleName}`,
          accountId: account,
          userName: change.changedBy.roleName,
        },
        attributes: { creationDate: cloudTrailTime(change.time - 120_000), mfaAuthenticated: 'true' },
      },
    },
    eventTime: cloudTrailTime(change.time),
    eventSource: 'iam.amazonaws.com',
    eventName: 'UpdateAssumeRolePolicy',
    awsRegion: 'us-east-1',
    sourceIPAddress: change.changedBy.ip,
    userAgent:
      'aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.7 command/iam.update-assume-role-policy',
    requestParameters: { roleName: change.role.name, policyDocument: JSON.stringify(policy) },
    responseElements: null,
    requestID: uuid(random),
    eventID: uuid(random),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
}
