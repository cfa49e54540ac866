import { gzipSync } from 'node:zlib';

/** CloudTrail records as a trail writes them (events.md §2 and §4), for the files the tests serve. */
const ACCOUNT = '111122223333';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

export interface MintOptions {
  readonly eventId: string;
  readonly subject: string;
  readonly role: string;
  readonly accessKeyId: string;
  readonly time: string;
}

export function assumeRoleWithWebIdentity({ eventId, subject, role, accessKeyId, time }: MintOptions) {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${role}`;
  return {
    eventVersion: '1.11',
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `${PROVIDER}:sts.amazonaws.com:${subject}`,
      userName: subject,
      identityProvider: PROVIDER,
    },
    eventTime: time,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.24',
    userAgent: 'aws-sdk-nodejs/2.1692.0 linux/v20.18.1 configure-aws-credentials-for-github-actions promise',
    requestParameters: { roleArn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    responseElements: {
      credentials: { accessKeyId, sessionToken: '', expiration: 'Nov 20, 2025, 11:05:00 AM' },
      subjectFromWebIdentityToken: subject,
      assumedRoleUser: {
        assumedRoleId: 'AROAEXAMPLEROLE000001:GitHubActions',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/GitHubActions`,
      },
      provider: PROVIDER,
      audience: 'sts.amazonaws.com',
    },
    requestID: `req-${eventId}`,
    eventID: eventId,
    readOnly: true,
    resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

export interface DataEventOptions {
  readonly eventId: string;
  readonly role: string;
  readonly accessKeyId: string;
  readonly bucket: string;
  readonly key: string;
  readonly time: string;
  /** S3's extended request id, random in real records (and so what makes their files large). */
  readonly amzId2?: string;
}

export function getObject({ eventId, role, accessKeyId, bucket, key, time, amzId2 }: DataEventOptions) {
  return {
    eventVersion: '1.11',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEROLE000001:GitHubActions',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/GitHubActions`,
      accountId: ACCOUNT,
      accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEROLE000001',
          arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
          accountId: ACCOUNT,
          userName: role,
        },
        webIdFederationData: { federatedProvider: PROVIDER, attributes: {} },
        attributes: { creationDate: time, mfaAuthenticated: 'false' },
      },
    },
    eventTime: time,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.24',
    userAgent: '[aws-cli/2.22.0 md/command#s3.cp]',
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, key },
    responseElements: null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      bytesTransferredIn: 0,
      bytesTransferredOut: 4096,
      ...(amzId2 ? { 'x-amz-id-2': amzId2 } : {}),
    },
    requestID: `req-${eventId}`,
    eventID: eventId,
    readOnly: true,
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Data',
  };
}

/** A CloudTrail log file as delivered to S3: gzip of `{"Records":[...]}`. */
export function cloudTrailFile(records: readonly unknown[]): Buffer {
  return gzipSync(Buffer.from(JSON.stringify({ Records: records })));
}

/** The SQS record Lambda receives for one S3 ObjectCreated notification (key URL-encoded, `+` for space). */
export function sqsMessage(messageId: string, body: unknown) {
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1763633441600',
      SenderId: 'AROAEXAMPLES3NOTIFY01:S3-PROD-END',
      ApproximateFirstReceiveTimestamp: '1763633441611',
    },
    messageAttributes: {},
    md5OfBody: '0123456789abcdef0123456789abcdef',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:${ACCOUNT}:tokentrail-prod-cloudtrail-files`,
    awsRegion: 'us-east-1',
  };
}

export function objectCreated(bucket: string, encodedKey: string, size = 1024) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2025-11-20T10:10:41.512Z',
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AROAEXAMPLETRAIL0001:regionalDeliverySession' },
        requestParameters: { sourceIPAddress: '10.12.34.56' },
        responseElements: { 'x-amz-request-id': '7DJ2K9QX4M1PZ8RS', 'x-amz-id-2': 'example' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'tokentrail-cloudtrail-files',
          bucket: {
            name: bucket,
            ownerIdentity: { principalId: 'A1B2C3D4E5F6G7' },
            arn: `arn:aws:s3:::${bucket}`,
          },
          object: {
            key: encodedKey,
            size,
            eTag: '5d41402abc4b2a76b9719d911017c592',
            sequencer: '00691ECB2F',
          },
        },
      },
    ],
  };
}
