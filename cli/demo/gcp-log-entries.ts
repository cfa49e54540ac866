/**
 * Cloud Audit Logs entries of workload identity federation, in the shapes of events.md §5–§8:
 * STS ExchangeToken, iamcredentials GenerateAccessToken and GCS data access. Keys are in the
 * order a Log Router sink writes them (alphabetical, `@type` first).
 */
import type { JsonObject } from '../../shared/core/json-access.js';
import { nanosecondTimestamp } from './log-time.js';
import { between, decimalId, lowerAlnum, type Random } from './random.js';

export interface GcpServiceAccount {
  readonly email: string;
  readonly uniqueId: string;
}

/** Who called, from where: every audit entry's requestMetadata. */
export interface GcpCaller {
  readonly ip: string;
  readonly userAgent: string;
}

interface EntryParts {
  readonly time: number;
  readonly project: string;
  readonly payload: JsonObject;
  readonly resource: JsonObject;
  readonly failed: boolean;
  readonly operation?: JsonObject;
  /** Admin Activity entries (IAM policy changes) are on by default; the rest are Data Access. */
  readonly log?: 'activity' | 'data_access';
}

// google.rpc.Code numbers, as `status.code` carries them; success is an empty `status: {}`.
const INVALID_ARGUMENT = 3;
const PERMISSION_DENIED = 7;

function auditLogEntry(random: Random, parts: EntryParts): JsonObject {
  return {
    insertId: lowerAlnum(random, between(random, 12, 14)),
    logName: `projects/${parts.project}/logs/cloudaudit.googleapis.com%2F${parts.log ?? 'data_access'}`,
    ...(parts.operation ? { operation: parts.operation } : {}),
    protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', ...parts.payload },
    receiveTimestamp: nanosecondTimestamp(random, parts.time + between(random, 300, 1500)),
    resource: parts.resource,
    severity: parts.failed ? 'ERROR' : parts.log === 'activity' ? 'NOTICE' : 'INFO',
    timestamp: nanosecondTimestamp(random, parts.time),
  };
}

function requestMetadata(random: Random, caller: GcpCaller, time: number): JsonObject {
  return {
    callerIp: caller.ip,
    callerSuppliedUserAgent: caller.userAgent,
    destinationAttributes: {},
    requestAttributes: { auth: {}, time: nanosecondTimestamp(random, time + between(random, 2, 12)) },
  };
}

export interface ExchangeTokenCall {
  readonly time: number;
  readonly project: string;
  /** `projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`. */
  readonly provider: string;
  readonly caller: GcpCaller;
  /** An AWS workload's exchange: a signed GetCallerIdentity request, not a JWT. */
  readonly aws?: boolean;
}

export type ExchangeTokenResult =
  | { readonly subject: string; readonly mappedPrincipal: string }
  | { readonly invalidArgument: string };

/**
 * An OIDC token exchanged at sts.googleapis.com: the raw `sub` in principalSubject, the
 * principal:// it maps to in metadata. A rejected token leaves `authenticationInfo: {}`.
 */
export function exchangeTokenEntry(
  random: Random,
  call: ExchangeTokenCall,
  result: ExchangeTokenResult,
): JsonObject {
  const method = 'google.identity.sts.v1.SecurityTokenService.ExchangeToken';
  const failed = 'invalidArgument' in result;
  return auditLogEntry(random, {
    time: call.time,
    project: call.project,
    failed,
    payload: {
      authenticationInfo: failed ? {} : { principalSubject: result.subject },
      authorizationInfo: [
        { granted: false, permission: 'sts.identityProviders.checkLogging', permissionType: 'ADMIN_READ' },
      ],
      metadata: {
        '@type': 'type.googleapis.com/google.identity.sts.v1.AuditData',
        ...(failed ? {} : { mapped_principal: result.mappedPrincipal }),
      },
      methodName: method,
      request: {
        '@type': 'type.googleapis.com/google.identity.sts.v1.ExchangeTokenRequest',
        audience: `//iam.googleapis.com/${call.provider}`,
        grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        subjectTokenType: call.aws
          ? 'urn:ietf:params:aws:token-type:aws4_request'
          : 'urn:ietf:params:oauth:token-type:jwt',
      },
      requestMetadata: requestMetadata(random, call.caller, call.time),
      resourceName: call.provider,
      serviceName: 'sts.googleapis.com',
      status: failed ? { code: INVALID_ARGUMENT, message: result.invalidArgument } : {},
    },
    resource: {
      labels: { method, project_id: call.project, service: 'sts.googleapis.com' },
      type: 'audited_resource',
    },
  });
}

export interface GenerateAccessTokenCall {
  readonly time: number;
  readonly project: string;
  readonly serviceAccount: GcpServiceAccount;
  /** The federated `principal://…` that asks for a token. */
  readonly principalSubject: string;
  readonly caller: GcpCaller;
  /** Missing roles/iam.workloadIdentityUser: the caller is then redacted (events.md §5.3). */
  readonly denied?: boolean;
}

export function generateAccessTokenEntry(random: Random, call: GenerateAccessTokenCall): JsonObject {
  const name = `projects/-/serviceAccounts/${call.serviceAccount.email}`;
  const permission = 'iam.serviceAccounts.getAccessToken';
  return auditLogEntry(random, {
    time: call.time,
    project: call.project,
    failed: call.denied === true,
    operation: {
      first: true,
      id: decimalId(random, 19),
      last: true,
      producer: 'iamcredentials.googleapis.com',
    },
    payload: {
      authenticationInfo: call.denied
        ? {}
        : { principalSubject: call.principalSubject, serviceAccountDelegationInfo: [{}] },
      authorizationInfo: [
        call.denied
          ? { permission, resourceAttributes: {} }
          : { granted: true, permission, permissionType: 'ADMIN_READ', resourceAttributes: {} },
      ],
      metadata: { identityDelegationChain: [name] },
      methodName: 'GenerateAccessToken',
      request: { '@type': 'type.googleapis.com/google.iam.credentials.v1.GenerateAccessTokenRequest', name },
      requestMetadata: requestMetadata(random, call.caller, call.time),
      resourceName: `projects/-/serviceAccounts/${call.serviceAccount.uniqueId}`,
      serviceName: 'iamcredentials.googleapis.com',
      status: call.denied ? { code: PERMISSION_DENIED, message: 'PERMISSION_DENIED' } : {},
    },
    resource: {
      labels: {
        email_id: call.serviceAccount.email,
        project_id: call.project,
        unique_id: call.serviceAccount.uniqueId,
      },
      type: 'service_account',
    },
  });
}

/** The two identity patterns of federated GCS access (events.md §7.2). */
export type StorageIdentity =
  | { readonly serviceAccount: string; readonly impersonatedBy: string }
  | { readonly federatedPrincipal: string };

export type StorageOperation =
  | { readonly method: 'storage.objects.get' | 'storage.objects.create'; readonly object: string }
  | { readonly method: 'storage.objects.list' };

export interface StorageCall {
  readonly time: number;
  readonly project: string;
  readonly bucket: string;
  readonly location: string;
  readonly operation: StorageOperation;
  readonly identity: StorageIdentity;
  readonly caller: GcpCaller;
}

export function storageEntry(random: Random, call: StorageCall): JsonObject {
  const { operation, identity } = call;
  const bucketName = `projects/_/buckets/${call.bucket}`;
  const resourceName = 'object' in operation ? `${bucketName}/objects/${operation.object}` : bucketName;
  return auditLogEntry(random, {
    time: call.time,
    project: call.project,
    failed: false,
    payload: {
      authenticationInfo:
        'federatedPrincipal' in identity
          ? { principalSubject: identity.federatedPrincipal }
          : {
              principalEmail: identity.serviceAccount,
              serviceAccountDelegationInfo: [{ principalSubject: identity.impersonatedBy }],
            },
      authorizationInfo: [
        { granted: true, permission: operation.method, resource: resourceName, resourceAttributes: {} },
      ],
      methodName: operation.method,
      requestMetadata: requestMetadata(random, call.caller, call.time),
      resourceLocation: { currentLocations: [call.location] },
      resourceName,
      serviceName: 'storage.googleapis.com',
      status: {},
    },
    resource: {
      labels: { bucket_name: call.bucket, location: call.location, project_id: call.project },
      type: 'gcs_bucket',
    },
  });
}

export interface SetIamPolicyCall {
  readonly time: number;
  readonly project: string;
  readonly serviceAccount: GcpServiceAccount;
  /** Who changed the policy: a person, through gcloud. */
  readonly changedBy: string;
  readonly caller: GcpCaller;
  readonly role: string;
  readonly member: string;
}

/** iam.googleapis.com SetIAMPolicy on a service account, adding one binding (Admin Activity log). */
export function setIamPolicyEntry(random: Random, call: SetIamPolicyCall): JsonObject {
  const resourceName = `projects/-/serviceAccounts/${call.serviceAccount.uniqueId}`;
  return auditLogEntry(random, {
    time: call.time,
    project: call.project,
    failed: false,
    log: 'activity',
    payload: {
      authenticationInfo: { principalEmail: call.changedBy },
      authorizationInfo: [
        {
          granted: true,
          permission: 'iam.serviceAccounts.setIamPolicy',
          resource: resourceName,
          resourceAttributes: {},
        },
      ],
      methodName: 'google.iam.admin.v1.SetIAMPolicy',
      request: {
        '@type': 'type.googleapis.com/google.iam.v1.SetIamPolicyRequest',
        policy: { bindings: [{ members: [call.member], role: call.role }], etag: 'BwYb2xyz0Q4=' },
        resource: `projects/${call.project}/serviceAccounts/${call.serviceAccount.email}`,
      },
      requestMetadata: requestMetadata(random, call.caller, call.time),
      resourceName,
      response: { '@type': 'type.googleapis.com/google.iam.v1.Policy', etag: 'BwYb2xz1KKc=' },
      serviceData: {
        '@type': 'type.googleapis.com/google.iam.v1.logging.AuditData',
        policyDelta: { bindingDeltas: [{ action: 'ADD', member: call.member, role: call.role }] },
      },
      serviceName: 'iam.googleapis.com',
      status: {},
    },
    resource: {
      labels: {
        email_id: call.serviceAccount.email,
        project_id: call.project,
        unique_id: call.serviceAccount.uniqueId,
      },
      type: 'service_account',
    },
  });
}
