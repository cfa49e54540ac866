/**
 * GCP audit LogEntries and the HTTP requests that carry them to a Cloud Function, modeled on
 * ../shared/reference/events.md §1.4–§1.5 (envelopes) and §5–§7 (records).
 */
import { base64Json, eventarcAuditEvent, type JsonRecord, MESSAGE_PUBLISHED } from '../helpers/envelopes.js';

export const PROJECT = 'demo-proj-4471';
const DATA_ACCESS_LOG = `projects/${PROJECT}/logs/cloudaudit.googleapis.com%2Fdata_access`;
const POOL = 'projects/555123456789/locations/global/workloadIdentityPools/ci-pool';
export const POOL_PRINCIPAL_PREFIX = `principal://iam.googleapis.com/${POOL}/subject/`;

/** §6: GitHub Actions exchanging its OIDC token at the STS (Data Access, sts.googleapis.com). */
export function exchangeTokenEntry(insertId: string, subject: string, timestamp: string): JsonRecord {
  return {
    insertId,
    logName: DATA_ACCESS_LOG,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: {},
      authenticationInfo: { principalSubject: subject },
      requestMetadata: {
        callerIp: '140.82.112.21',
        callerSuppliedUserAgent: 'google-github-actions:auth/2.1.10',
        requestAttributes: { time: timestamp, auth: {} },
        destinationAttributes: {},
      },
      serviceName: 'sts.googleapis.com',
      methodName: 'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
      authorizationInfo: [
        { permission: 'sts.identityProviders.checkLogging', granted: false, permissionType: 'ADMIN_READ' },
      ],
      resourceName: `${POOL}/providers/github`,
      request: {
        '@type': 'type.googleapis.com/google.identity.sts.v1.ExchangeTokenRequest',
        audience: `//iam.googleapis.com/${POOL}/providers/github`,
        grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      },
      metadata: {
        '@type': 'type.googleapis.com/google.identity.sts.v1.AuditData',
        mapped_principal: `${POOL_PRINCIPAL_PREFIX}${subject}`,
      },
    },
    resource: {
      type: 'audited_resource',
      labels: { service: 'sts.googleapis.com', project_id: PROJECT },
    },
    timestamp,
    severity: 'INFO',
    receiveTimestamp: timestamp.replace(/\.\d+Z$/, '.9Z'),
  };
}

/** §7.2 pattern 1: storage.objects.get by a service account a federated principal impersonates. */
export function objectsGetEntry(insertId: string, timestamp: string): JsonRecord {
  const object = 'projects/_/buckets/example-reports/objects/daily/2025-05-05.csv';
  return {
    insertId,
    logName: DATA_ACCESS_LOG,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: {},
      authenticationInfo: {
        principalEmail: `reports-reader@${PROJECT}.iam.gserviceaccount.com`,
        serviceAccountDelegationInfo: [
          { principalSubject: `${POOL_PRINCIPAL_PREFIX}repo:example-org/reports:ref:refs/heads/main` },
        ],
      },
      requestMetadata: {
        callerIp: '140.82.112.22',
        callerSuppliedUserAgent: 'gcloud-python/3.1.0 gccl/2.18.2,gzip(gfe)',
        requestAttributes: { time: timestamp, auth: {} },
        destinationAttributes: {},
      },
      serviceName: 'storage.googleapis.com',
      methodName: 'storage.objects.get',
      authorizationInfo: [
        { resource: object, permission: 'storage.objects.get', granted: true, resourceAttributes: {} },
      ],
      resourceName: object,
      resourceLocation: { currentLocations: ['us-east4'] },
    },
    resource: {
      type: 'gcs_bucket',
      labels: { project_id: PROJECT, location: 'us-east4', bucket_name: 'example-reports' },
    },
    timestamp,
    severity: 'INFO',
    receiveTimestamp: timestamp.replace(/\.\d+Z$/, '.9Z'),
  };
}

/** §5.1: a federated principal minting an access token for a service account (iamcredentials). */
export function generateAccessTokenEntry(insertId: string, account: string, timestamp: string): JsonRecord {
  const email = `${account}@${PROJECT}.iam.gserviceaccount.com`;
  return {
    insertId,
    logName: DATA_ACCESS_LOG,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: {},
      authenticationInfo: {
        principalSubject: `${POOL_PRINCIPAL_PREFIX}repo:example-org/deploy:ref:refs/heads/main`,
        serviceAccountDelegationInfo: [{}],
      },
      authorizationInfo: [
        {
          granted: true,
          permission: 'iam.serviceAccounts.getAccessToken',
          permissionType: 'ADMIN_READ',
          resourceAttributes: {},
        },
      ],
      metadata: { identityDelegationChain: [`projects/-/serviceAccounts/${email}`] },
      methodName: 'GenerateAccessToken',
      request: {
        '@type': 'type.googleapis.com/google.iam.credentials.v1.GenerateAccessTokenRequest',
        name: `projects/-/serviceAccounts/${email}`,
      },
      requestMetadata: {
        callerIp: '140.82.112.23',
        callerSuppliedUserAgent: 'Go-http-client/2.0,gzip(gfe)',
        requestAttributes: { time: timestamp, auth: {} },
        destinationAttributes: {},
      },
      resourceName: 'projects/-/serviceAccounts/110022003300440055006',
      serviceName: 'iamcredentials.googleapis.com',
    },
    resource: {
      type: 'service_account',
      labels: { email_id: email, project_id: PROJECT, unique_id: '110022003300440055006' },
    },
    severity: 'INFO',
    timestamp,
    receiveTimestamp: timestamp.replace(/\.\d+Z$/, '.9Z'),
  };
}

export interface HttpDelivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Structured content mode: the whole event as the body. */
export function structured(event: JsonRecord): HttpDelivery {
  return { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) };
}

/** Binary content mode: attributes as `ce-*` headers (lower-cased), `data` alone as the body. */
export function binary(event: JsonRecord): HttpDelivery {
  const { data, datacontenttype, ...attributes } = event;
  const headers: Record<string, string> = {
    'content-type': typeof datacontenttype === 'string' ? datacontenttype : 'application/json',
  };
  for (const [name, value] of Object.entries(attributes)) headers[`ce-${name.toLowerCase()}`] = String(value);
  return { headers, body: JSON.stringify(data) };
}

/** The messagePublished CloudEvent Eventarc's Pub/Sub trigger delivers; `data` is the message's bytes, base64. */
export function messagePublished(messageId: string, data: string, publishTime: string): JsonRecord {
  return {
    specversion: '1.0',
    type: MESSAGE_PUBLISHED,
    source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/tokentrail-audit`,
    id: messageId,
    time: publishTime,
    datacontenttype: 'application/json',
    data: {
      subscription: `projects/${PROJECT}/subscriptions/eventarc-us-central1-tokentrail-ingest-pubsub-sub-001`,
      message: {
        attributes: { 'logging.googleapis.com/timestamp': publishTime },
        data,
        messageId,
        message_id: messageId,
        publishTime,
        publish_time: publishTime,
      },
    },
  };
}

/** A Log Router sink's message: one LogEntry as JSON with a trailing newline, base64. */
export function sinkMessage(messageId: string, entry: JsonRecord): JsonRecord {
  return messagePublished(messageId, base64Json(entry), String(entry.receiveTimestamp));
}

/** Eventarc's `google.cloud.audit.log.v1.written` for an entry (lower-case extension attributes, as delivered). */
export function auditLogWritten(entry: JsonRecord): JsonRecord {
  return eventarcAuditEvent(entry, 'lowercase');
}
