/**
 * Synthetic CloudTrail records for benchmarks: the demo's record builders (events.md §2, §4) fed
 * with values from a seeded generator, so runs are comparable.
 */
import {
  type AwsRole,
  assumeRoleWithWebIdentityRecord,
  s3DataEventRecord,
} from '../cli/demo/cloudtrail-records.js';
import { between, hex, pick, type Random, temporaryAccessKeyId } from '../cli/demo/random.js';

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
