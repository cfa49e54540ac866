/**
 * Synthetic CloudTrail records for benchmarks: the shapes of real AssumeRoleWithWebIdentity and
 * S3 data events (events.md §2, §4), with values from a seeded generator so runs are comparable.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REPOS = ['acme/api', 'acme/web', 'acme/billing', 'acme/infra', 'acme/data-pipeline'];
const BRANCHES = ['main', 'release/2025.11', 'feature/login', 'dependabot/npm/lodash-4.17.21'];
const BUCKETS = ['acme-artifacts', 'acme-datalake-raw', 'acme-terraform-state', 'acme-logs'];

function hex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

function uuid(random: () => number): string {
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;
}

function accessKey(random: () => number): string {
  return `ASIA${hex(random, 16).toUpperCase()}`;
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

export function assumeRoleWithWebIdentity(random: () => number, time: Date): Record<string, unknown> {
  const account = '111122223333';
  const provider = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
  const subject = `repo:${pick(random, REPOS)}:ref:refs/heads/${pick(random, BRANCHES)}`;
  const role = `arn:aws:iam::${account}:role/github-deploy-${Math.floor(random() * 5)}`;
  const failed = random() < 0.1;
  const eventTime = `${time.toISOString().slice(0, 19)}Z`;
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `${provider}:sts.amazonaws.com:${subject}`,
      userName: subject,
      identityProvider: provider,
    },
    eventTime,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    awsRegion: 'us-east-1',
    sourceIPAddress: `198.51.100.${Math.floor(random() * 255)}`,
    userAgent: 'aws-sdk-nodejs/2.1112.0 linux/v20.19.0 configure-aws-credentials-for-github-actions promise',
    ...(failed ? { errorCode: 'AccessDenied', errorMessage: 'An unknown error occurred' } : {}),
    requestParameters: { roleArn: role, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    responseElements: failed
      ? null
      : {
          credentials: {
            accessKeyId: accessKey(random),
            sessionToken: '',
            expiration: 'Apr 16, 2025, 3:46:56 AM',
          },
          subjectFromWebIdentityToken: subject,
          assumedRoleUser: {
            assumedRoleId: `AROA${hex(random, 17).toUpperCase()}:GitHubActions`,
            arn: `${role.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/GitHubActions`,
          },
          provider,
          audience: 'sts.amazonaws.com',
        },
    additionalEventData: {
      identityProviderConnectionVerificationMethod: 'IAMTrustStore',
      RequestDetails: { awsServingRegion: 'us-east-1', endpointType: 'regional' },
    },
    requestID: uuid(random),
    eventID: uuid(random),
    readOnly: true,
    resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: role }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'sts.us-east-1.amazonaws.com',
    },
  };
}

export function s3GetObject(random: () => number, time: Date): Record<string, unknown> {
  const account = '111122223333';
  const bucket = pick(random, BUCKETS);
  const key = `builds/${hex(random, 8)}/artifact-${Math.floor(random() * 1000)}.tar.gz`;
  const role = `arn:aws:iam::${account}:role/github-deploy-${Math.floor(random() * 5)}`;
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROA${hex(random, 17).toUpperCase()}:GitHubActions`,
      arn: `arn:aws:sts::${account}:assumed-role/${role.split('/')[1]}/GitHubActions`,
      accountId: account,
      accessKeyId: accessKey(random),
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: `AROA${hex(random, 17).toUpperCase()}`,
          arn: role,
          accountId: account,
          userName: role.split('/')[1],
        },
        webIdFederationData: {
          federatedProvider: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
          attributes: {},
        },
        attributes: { creationDate: `${time.toISOString().slice(0, 19)}Z`, mfaAuthenticated: 'false' },
      },
    },
    eventTime: `${time.toISOString().slice(0, 19)}Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: `198.51.100.${Math.floor(random() * 255)}`,
    userAgent:
      '[aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.cp]',
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, key },
    responseElements: null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': hex(random, 76),
      bytesTransferredOut: Math.floor(random() * 1e7),
    },
    requestID: hex(random, 16).toUpperCase(),
    eventID: uuid(random),
    readOnly: true,
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: account,
    eventCategory: 'Data',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${bucket}.s3.us-east-1.amazonaws.com`,
    },
  };
}

/** A federation-heavy mix: every record is one tokentrail keeps (the demanding case). */
export function federationRecord(random: () => number, time: Date): Record<string, unknown> {
  return random() < 0.5 ? assumeRoleWithWebIdentity(random, time) : s3GetObject(random, time);
}
