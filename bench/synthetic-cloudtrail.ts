/**
 * Synthetic CloudTrail records for benchmarks: the demo's record builders (events.md §2, §4) fed
 * with values from a seeded generator, so runs are comparable.
 */
import {
  type AwsRole,
  assumeRoleWithWebIdentityRecord,
  s3DataEventRecord,
} from '../cli/demo/cloudtrail-records.js';
import {
  between,
  hex,
  mixedAlnum,
  pick,
  type Random,
  temporaryAccessKeyId,
  upperAlnum,
  uuid,
} from '../cli/demo/random.js';

// The benchmarks seed the generator themselves.
export { seededRandom } from '../cli/demo/random.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const REPOS = ['acme/api', 'acme/web', 'acme/billing', 'acme/infra', 'acme/data-pipeline'];
const BRANCHES = ['main', 'release/2025.11', 'feature/login', 'dependabot/npm/lodash-4.17.21'];
const BUCKETS = ['acme-artifacts', 'acme-datalake-raw', 'acme-terraform-state', 'acme-logs'];
const ROLES: readonly AwsRole[] = Array.from({ length: 5 }, (_, i) => ({
  account: ACCOUNT,
  name: `github-deploy-${i}`,
  id: `AROAEXAMPLEDEPLOY000${i}`,
}));
const STS_AGENT =
  'aws-sdk-nodejs/2.1112.0 linux/v20.19.0 configure-aws-credentials-for-github-actions promise';
const S3_AGENT =
  '[aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.cp]';

const runnerIp = (random: Random) => `198.51.100.${between(random, 0, 254)}`;

function assumeRoleWithWebIdentity(random: Random, time: Date): Record<string, unknown> {
  const call = {
    time: time.getTime(),
    region: REGION,
    providerArn: PROVIDER,
    audience: 'sts.amazonaws.com',
    subject: `repo:${pick(random, REPOS)}:ref:refs/heads/${pick(random, BRANCHES)}`,
    role: pick(random, ROLES),
    sessionName: 'GitHubActions',
    sourceIp: runnerIp(random),
    userAgent: STS_AGENT,
  };
  const failed = random() < 0.1;
  return assumeRoleWithWebIdentityRecord(
    random,
    call,
    failed
      ? { errorCode: 'AccessDenied', errorMessage: 'An unknown error occurred' }
      : { accessKeyId: temporaryAccessKeyId(random) },
  );
}

function s3GetObject(random: Random, time: Date): Record<string, unknown> {
  const bucket = pick(random, BUCKETS);
  const key = `builds/${hex(random, 8)}/artifact-${between(random, 0, 999)}.tar.gz`;
  return s3DataEventRecord(random, {
    time: time.getTime(),
    region: REGION,
    session: {
      role: pick(random, ROLES),
      sessionName: 'GitHubActions',
      accessKeyId: temporaryAccessKeyId(random),
      providerArn: PROVIDER,
      createdAt: time.getTime(),
    },
    operation: { eventName: 'GetObject', bucket, key },
    sourceIp: runnerIp(random),
    userAgent: S3_AGENT,
  });
}

/** A federation-heavy mix: every record is one tokentrail keeps (the demanding case). */
export function federationRecord(random: Random, time: Date): Record<string, unknown> {
  return random() < 0.5 ? assumeRoleWithWebIdentity(random, time) : s3GetObject(random, time);
}

/** An organisation's role session (an EC2 instance, a Lambda, an SSO user), as management events show it. */
function sessionIdentity(random: Random, time: Date): Record<string, unknown> {
  const role = pick(random, ['AWSReservedSSO_ReadOnly_1a2b3c', 'app-backend', 'ecsTaskRole', 'lambda-exec']);
  const session = pick(random, ['i-0abc123def4567890', 'alice@acme.example', 'botocore-session-1700000000']);
  return {
    type: 'AssumedRole',
    principalId: `AROA${upperAlnum(random, 17)}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: temporaryAccessKeyId(random),
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `AROA${upperAlnum(random, 17)}`,
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      attributes: {
        creationDate: new Date(time.getTime() - 600_000).toISOString(),
        mfaAuthenticated: 'false',
      },
    },
  };
}

const UNRELATED_AGENTS = [
  'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.173.0',
  'Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.223-211.872.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.144',
  'ssm-agent',
  'console.amazonaws.com',
];

/** The calls an organisation trail is mostly made of, each with its usual request and response. */
const UNRELATED: readonly ((random: Random) => Record<string, unknown>)[] = [
  (random) => ({
    eventSource: 'ec2.amazonaws.com',
    eventName: pick(random, [
      'DescribeInstances',
      'DescribeVolumes',
      'DescribeSecurityGroups',
      'DescribeSubnets',
    ]),
    requestParameters: {
      filterSet: { items: [{ name: 'tag:Environment', valueSet: { items: [{ value: 'production' }] } }] },
      maxResults: 1000,
    },
    responseElements: null,
  }),
  (random) => ({
    eventSource: 'kms.amazonaws.com',
    eventName: 'Decrypt',
    requestParameters: {
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      encryptionContext: {
        'aws:lambda:FunctionArn': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:api-${hex(random, 4)}`,
      },
    },
    responseElements: null,
    resources: [
      {
        accountId: ACCOUNT,
        type: 'AWS::KMS::Key',
        ARN: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${uuid(random)}`,
      },
    ],
  }),
  (random) => ({
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    requestParameters: {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/app-backend`,
      roleSessionName: `botocore-session-${between(random, 1e9, 2e9)}`,
    },
    responseElements: {
      credentials: {
        accessKeyId: temporaryAccessKeyId(random),
        sessionToken: mixedAlnum(random, 360),
        expiration: 'Nov 3, 2025, 11:00:00 AM',
      },
      assumedRoleUser: {
        assumedRoleId: `AROA${upperAlnum(random, 17)}:botocore-session`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app-backend/botocore-session`,
      },
    },
  }),
  (random) => ({
    eventSource: 's3.amazonaws.com',
    eventName: pick(random, [
      'GetBucketAcl',
      'ListBuckets',
      'GetBucketPolicy',
      'GetBucketLocation',
      'GetBucketVersioning',
    ]),
    eventCategory: 'Management',
    requestParameters: {
      bucketName: pick(random, BUCKETS),
      Host: `${pick(random, BUCKETS)}.s3.amazonaws.com`,
      acl: '',
    },
    responseElements: null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': mixedAlnum(random, 76),
      bytesTransferredOut: between(random, 200, 900),
    },
  }),
  (random) => ({
    eventSource: 'lambda.amazonaws.com',
    eventName: pick(random, [
      'GetFunction20150331v2',
      'ListFunctions20150331',
      'GetFunctionConfiguration20150331v2',
    ]),
    requestParameters: { functionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:api-${hex(random, 4)}` },
    responseElements: null,
  }),
  (random) => ({
    eventSource: 'ssm.amazonaws.com',
    eventName: pick(random, [
      'GetParameter',
      'GetParameters',
      'DescribeInstanceInformation',
      'UpdateInstanceInformation',
    ]),
    requestParameters: {
      name: `/acme/prod/${pick(random, ['db-url', 'api-key', 'feature-flags'])}`,
      withDecryption: true,
    },
    responseElements: null,
  }),
];

/** One of the calls tokentrail does not keep, with the envelope CloudTrail gives every management event. */
export function unrelatedRecord(random: Random, time: Date): Record<string, unknown> {
  const call = pick(random, UNRELATED)(random);
  return {
    eventVersion: '1.09',
    userIdentity: sessionIdentity(random, time),
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: REGION,
    sourceIPAddress: `10.0.${between(random, 0, 255)}.${between(random, 1, 254)}`,
    userAgent: pick(random, UNRELATED_AGENTS),
    requestParameters: call.requestParameters,
    responseElements: call.responseElements,
    ...(call.additionalEventData ? { additionalEventData: call.additionalEventData } : {}),
    requestID: uuid(random),
    eventID: uuid(random),
    readOnly: true,
    ...(call.resources ? { resources: call.resources } : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: call.eventCategory ?? 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${String(call.eventSource).split('.')[0]}.${REGION}.amazonaws.com`,
    },
  };
}

/** An organisation trail: `relevantShare` of the records are federation events, the rest unrelated calls. */
export function orgTrailRecord(random: Random, time: Date, relevantShare: number): Record<string, unknown> {
  return random() < relevantShare ? federationRecord(random, time) : unrelatedRecord(random, time);
}
