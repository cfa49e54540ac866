import fc from 'fast-check';
import type { NormalizeOutcome } from '../shared/core/normalize/audit-record.js';
import { normalizeRecord } from '../shared/core/normalize/normalize-record.js';
import { type DecodedItem, decodeBytes, decodeValue } from '../shared/sources/index.js';
import {
  type AttributeCase,
  cloudTrailWrappings,
  eventarcAuditEvent,
  eventarcId,
  type JsonRecord,
  logEntryWrappings,
  type Wrapped,
  type Wrapping,
} from './helpers/envelopes.js';

/**
 * One audit record, however it is delivered, must become the same row: same columns, same raw,
 * same event_id (the de-duplication key, events.md §1.6). Only the envelope may differ.
 */

function decode(wrapped: Wrapped): DecodedItem[] {
  return wrapped.kind === 'value' ? decodeValue(wrapped.value) : decodeBytes(wrapped.bytes);
}

function rowOf(outcome: NormalizeOutcome) {
  if (outcome.type !== 'row') throw new Error(`expected a row, got ${JSON.stringify(outcome)}`);
  return outcome.row;
}

function expectSameRowEverywhere(
  bare: JsonRecord,
  wrappings: readonly Wrapping[],
  format: 'cloudtrail' | 'logentry',
) {
  const expected = rowOf(normalizeRecord({ format, value: bare }));
  for (const { name, delivery, wrapped } of wrappings) {
    const items = decode(wrapped);
    const [item] = items;
    if (items.length !== 1 || item?.type !== 'record') {
      throw new Error(`${name}: expected one record, got ${JSON.stringify(items).slice(0, 500)}`);
    }
    expect({ via: name, delivery: item.delivery, format: item.record.format }).toEqual({
      via: name,
      delivery,
      format,
    });
    const row = rowOf(normalizeRecord(item.record));
    expect({ via: name, row }).toEqual({ via: name, row: expected });
    expect({ via: name, event_id: row.event_id }).toEqual({ via: name, event_id: expected.event_id });
  }
  return expected;
}

// ------------------------------------------------------------------------------ generators

/** Subjects as hostile as events.md §10.8 allows: ':', '/', spaces, chat markup, any unicode. */
const subject = fc.oneof(
  fc.string({ minLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          ':',
          '/',
          ' ',
          '<!channel>',
          '<@U024BE7LH>',
          '@here',
          '`',
          '*_~',
          '\\',
          '"',
          'é',
          '😀',
          '\u00ad',
          '\u202e',
        ),
        fc.string({ unit: 'grapheme-ascii', maxLength: 6 }),
        fc.string({ unit: 'grapheme', maxLength: 3 }),
      ),
      { minLength: 1, maxLength: 10 },
    )
    .map((parts) => parts.join('')),
  fc.constantFrom(
    'repo:example-org/payments:ref:refs/heads/<!channel>',
    'organization:example-org:project:Default Project:workspace:net:run_phase:apply',
    'system:serviceaccount:ns:[legacy]',
  ),
);

const instant = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T23:59:59Z'),
  noInvalidDate: true,
});
const seconds = instant.map((date) => `${date.toISOString().slice(0, 19)}Z`);
const fractional = fc
  .tuple(instant, fc.integer({ min: 0, max: 9 }), fc.stringMatching(/^\d{9}$/))
  .map(
    ([date, digits, fraction]) =>
      `${date.toISOString().slice(0, 19)}${digits === 0 ? '' : `.${fraction.slice(0, digits)}`}Z`,
  );

const account = fc.stringMatching(/^\d{12}$/);
const name = fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,32}$/);
const eventId = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
);

const arwwiRecord: fc.Arbitrary<JsonRecord> = fc
  .record({
    subject,
    eventId,
    eventTime: seconds,
    account,
    role: name,
    session: name,
    region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2'),
    failed: fc.boolean(),
    host: fc.constantFrom(
      'token.actions.githubusercontent.com',
      'app.terraform.io',
      'oidc.eks.us-east-1.amazonaws.com/id/ABC',
    ),
  })
  .map(({ subject, eventId, eventTime, account, role, session, region, failed, host }): JsonRecord => {
    const provider = `arn:aws:iam::${account}:oidc-provider/${host}`;
    const roleArn = `arn:aws:iam::${account}:role/${role}`;
    return {
      eventVersion: '1.11',
      userIdentity: {
        type: 'WebIdentityUser',
        principalId: `${provider}:sts.amazonaws.com:${subject}`,
        userName: subject,
        identityProvider: provider,
      },
      eventTime,
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithWebIdentity',
      awsRegion: region,
      sourceIPAddress: '203.0.113.9',
      userAgent: 'aws-sdk-js/3.600.0',
      ...(failed ? { errorCode: 'AccessDenied', errorMessage: 'An unknown error occurred' } : {}),
      requestParameters: { roleArn, roleSessionName: session, durationSeconds: 3600 },
      responseElements: failed
        ? null
        : {
            credentials: {
              accessKeyId: 'ASIAEXAMPLE000000001',
              sessionToken: '',
              expiration: 'Apr 16, 2025, 3:46:56 AM',
            },
            subjectFromWebIdentityToken: subject,
            assumedRoleUser: {
              assumedRoleId: `AROAEXAMPLE:${session}`,
              arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
            },
            provider,
            audience: 'sts.amazonaws.com',
          },
      requestID: '0b6f3c2e-5a41-4d8e-9f1a-7c2b3d4e5f60',
      eventID: eventId,
      readOnly: true,
      resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: roleArn }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    };
  });

const project = fc.stringMatching(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
const insertId = fc.oneof(fc.stringMatching(/^[-a-z0-9]{1,24}$/), fc.string({ minLength: 1, maxLength: 24 }));

const logEntry: fc.Arbitrary<JsonRecord> = fc
  .record({
    method: fc.constantFrom('ExchangeToken', 'GenerateAccessToken', 'storage.objects.get'),
    subject,
    project,
    insertId,
    timestamp: fractional,
    receiveTimestamp: fractional,
    code: fc.constantFrom(0, 7),
  })
  .map(({ method, subject, project, insertId, timestamp, receiveTimestamp, code }): JsonRecord => {
    const principal = `principal://iam.googleapis.com/projects/555123456789/locations/global/workloadIdentityPools/ci-pool/subject/${subject}`;
    const sa = `deployer@${project}.iam.gserviceaccount.com`;
    const status: JsonRecord = code === 0 ? {} : { code, message: 'PERMISSION_DENIED' };
    const common = {
      insertId,
      logName: `projects/${project}/logs/cloudaudit.googleapis.com%2Fdata_access`,
      severity: code === 0 ? 'INFO' : 'ERROR',
      timestamp,
      receiveTimestamp,
    };
    const requestMetadata = { callerIp: '198.51.100.7', callerSuppliedUserAgent: 'google-api-go-client/0.5' };
    if (method === 'ExchangeToken') {
      return {
        ...common,
        protoPayload: {
          '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
          authenticationInfo: { principalSubject: subject },
          methodName: 'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
          serviceName: 'sts.googleapis.com',
          resourceName:
            'projects/555123456789/locations/global/workloadIdentityPools/ci-pool/providers/github',
          metadata: { mapped_principal: principal },
          requestMetadata,
          status,
        },
        resource: {
          type: 'audited_resource',
          labels: { project_id: project, service: 'sts.googleapis.com' },
        },
      };
    }
    if (method === 'GenerateAccessToken') {
      return {
        ...common,
        protoPayload: {
          '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
          authenticationInfo: { principalSubject: principal },
          methodName: 'GenerateAccessToken',
          serviceName: 'iamcredentials.googleapis.com',
          resourceName: 'projects/-/serviceAccounts/112233445566778899000',
          request: { name: `projects/-/serviceAccounts/${sa}` },
          requestMetadata,
          status,
        },
        resource: { type: 'service_account', labels: { project_id: project, email_id: sa } },
      };
    }
    return {
      ...common,
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        authenticationInfo: {
          principalEmail: sa,
          serviceAccountDelegationInfo: [{ principalSubject: principal }],
        },
        methodName: 'storage.objects.get',
        serviceName: 'storage.googleapis.com',
        resourceName: `projects/_/buckets/${project}-artifacts/objects/${subject}`,
        requestMetadata,
        status,
      },
      resource: {
        type: 'gcs_bucket',
        labels: { project_id: project, bucket_name: `${project}-artifacts`, location: 'eu' },
      },
    };
  });

const attributeCase = fc.constantFrom<AttributeCase>('lowercase', 'camelCase');

// ------------------------------------------------------------------------------ properties

describe('the same record through any envelope gives the same row', () => {
  it('CloudTrail AssumeRoleWithWebIdentity: bare, Records file (plain, gzip), EventBridge, CloudWatch Logs, NDJSON', () => {
    fc.assert(
      fc.property(arwwiRecord, (record) => {
        const row = expectSameRowEverywhere(record, cloudTrailWrappings(record), 'cloudtrail');
        expect(row.event_id).toBe(record.eventID);
      }),
      { numRuns: 100 },
    );
  });

  it('CloudTrail: `aws cloudtrail lookup-events` output, the page and one item per line', () => {
    // The CLI prints the record as the JSON string CloudTrailEvent, beside a few of its fields.
    const item = (record: JsonRecord) => ({
      EventId: record.eventID ?? null,
      EventName: record.eventName ?? null,
      ReadOnly: 'false',
      EventTime: '2025-01-20T14:20:00+00:00',
      EventSource: 'sts.amazonaws.com',
      Resources: [],
      CloudTrailEvent: JSON.stringify(record),
    });
    fc.assert(
      fc.property(arwwiRecord, (record) => {
        const wrappings: Wrapping[] = [
          {
            name: 'lookup-events page',
            delivery: 'cloudtrail-lookup',
            wrapped: { kind: 'value', value: { Events: [item(record)], NextToken: 'token' } },
          },
          {
            name: 'lookup-events item per line',
            delivery: 'cloudtrail-lookup',
            wrapped: { kind: 'bytes', bytes: Buffer.from(`${JSON.stringify(item(record))}\n`) },
          },
        ];
        expectSameRowEverywhere(record, wrappings, 'cloudtrail');
      }),
      { numRuns: 50 },
    );
  });

  it('GCP LogEntry: bare, JSON array, NDJSON, Pub/Sub push, messagePublished, Eventarc structured and binary', () => {
    fc.assert(
      fc.property(logEntry, attributeCase, (entry, spelling) => {
        const row = expectSameRowEverywhere(entry, logEntryWrappings(entry, spelling), 'logentry');
        // The CloudEvent id Eventarc computes (logName + insertId + epoch µs) is the row's event_id.
        expect(eventarcAuditEvent(entry, spelling).id).toBe(row.event_id);
        expect(eventarcId(entry)).toBe(row.event_id);
      }),
      { numRuns: 100 },
    );
  });

  it('matches the Eventarc id verified on the real delivery (events.md §1.5)', () => {
    const entry = {
      insertId: '1hu3wp7e1gx26',
      logName: 'projects/qwiklabs-gcp-03-13287e2e8172/logs/cloudaudit.googleapis.com%2Fdata_access',
      timestamp: '2024-07-10T12:03:23.801000699Z',
    };
    expect(eventarcId(entry)).toBe(
      'projects/qwiklabs-gcp-03-13287e2e8172/logs/cloudaudit.googleapis.com%2Fdata_access1hu3wp7e1gx261720613003801000',
    );
  });
});
