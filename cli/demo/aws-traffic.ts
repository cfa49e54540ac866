/**
 * Acme's ordinary AWS federation traffic: GitHub Actions deploys, EKS pods (IRSA) that re-assume
 * their role every hour, and a SaaS scanner that reads the audit-log bucket four times a day.
 */
import type { AwsRole, RoleSession, S3Operation } from './cloudtrail-records.js';
import {
  AWS_REGION,
  EKS_ISSUER_HOST,
  GITHUB_ISSUER_HOST,
  oidcProviderArn,
  ROLES,
  VENDOR_ISSUER_HOST,
  VENDOR_TENANT,
  webBundle,
} from './organisation.js';
import { between, decimalId, hex, lowerAlnum, pick, type Random } from './random.js';
import { businessTime, businessWeight, HOUR, hoursBetween, MINUTE, SECOND, spacedTimes } from './schedule.js';
import type { TrafficLog } from './traffic-log.js';

export const get = (bucket: string, key: string): S3Operation => ({ eventName: 'GetObject', bucket, key });
export const put = (bucket: string, key: string): S3Operation => ({ eventName: 'PutObject', bucket, key });
export const head = (bucket: string, key: string): S3Operation => ({ eventName: 'HeadObject', bucket, key });
export const list = (bucket: string, prefix: string): S3Operation => ({
  eventName: 'ListObjects',
  bucket,
  prefix,
});

/** Where a job's calls come from: STS and S3 see different user agents (and, in a VPC, addresses). */
export interface AwsClient {
  readonly stsIp: string;
  readonly s3Ip: string;
  readonly stsUserAgent: string;
  readonly s3UserAgent: (operation: S3Operation) => string;
  readonly vpcEndpointId?: string;
}

/** One job: a web-identity exchange, then S3 calls with the minted key a few seconds apart. */
export interface FederatedJob {
  readonly time: number;
  readonly providerArn: string;
  readonly audience: string;
  readonly subject: string;
  readonly role: AwsRole;
  readonly sessionName: string;
  readonly client: AwsClient;
  readonly operations: readonly S3Operation[];
  readonly gap?: readonly [number, number];
  readonly denied?: boolean;
}

export function runFederatedJob(log: TrafficLog, job: FederatedJob): RoleSession {
  const session = log.assumeRole({
    time: job.time,
    region: AWS_REGION,
    providerArn: job.providerArn,
    audience: job.audience,
    subject: job.subject,
    role: job.role,
    sessionName: job.sessionName,
    sourceIp: job.client.stsIp,
    userAgent: job.client.stsUserAgent,
  });
  const [minGap, maxGap] = job.gap ?? [2 * SECOND, 40 * SECOND];
  const times = spacedTimes(log.random, job.time, job.operations.length, minGap, maxGap);
  job.operations.forEach((operation, i) => {
    log.s3({
      time: times[i]!,
      region: AWS_REGION,
      session,
      operation,
      sourceIp: operation.viaService ?? job.client.s3Ip,
      userAgent: operation.viaService ?? job.client.s3UserAgent(operation),
      ...(job.client.vpcEndpointId ? { vpcEndpointId: job.client.vpcEndpointId } : {}),
      ...(job.denied ? { denied: true } : {}),
    });
  });
  return session;
}

// ---------------------------------------------------------------- GitHub Actions

const GITHUB_STS_AGENT =
  'aws-sdk-js/3.658.1 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/sts#3.658.1 m/E configure-aws-credentials-for-github-actions';

function awsCliAgent(operation: S3Operation): string {
  const command = operation.eventName === 'ListObjects' ? 's3.ls' : 's3.cp';
  return `[aws-cli/2.22.35 md/awscrt#0.23.4 ua/2.0 os/linux#6.8.0-1017-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${command}]`;
}

/**
 * A GitHub-hosted runner: a fresh address per job from GitHub Actions' ranges (the demo's are
 * 192.0.2.0/24 and 198.18.0.0/15), mostly the same one for STS and S3; one job in eight reaches S3
 * from another address of those ranges (a runner whose egress rotated), which is not another network.
 */
export function githubRunner(random: Random): AwsClient {
  const octet = between(random, 1, 254);
  const ip = `192.0.2.${octet}`;
  const s3Ip = octet % 8 === 0 ? `198.18.${octet}.${255 - octet}` : ip;
  return { stsIp: ip, s3Ip, stsUserAgent: GITHUB_STS_AGENT, s3UserAgent: awsCliAgent };
}

interface AwsWorkflow {
  readonly subject: string;
  readonly role: AwsRole;
  /** Relative share of the week's runs. */
  readonly weight: number;
  readonly operations: (random: Random, commit: string) => S3Operation[];
}

const repeat = <T>(count: number, make: (i: number) => T): T[] =>
  Array.from({ length: count }, (_, i) => make(i));

const AWS_WORKFLOWS: readonly AwsWorkflow[] = [
  {
    subject: 'repo:acme/payments-api:ref:refs/heads/main',
    role: ROLES.githubDeploy,
    weight: 4,
    operations: (_random, commit) => [
      list('acme-deploy-artifacts', 'builds/payments-api/'),
      put('acme-deploy-artifacts', `builds/payments-api/${commit}/payments-api.tar.gz`),
      put('acme-deploy-artifacts', `builds/payments-api/${commit}/sbom.spdx.json`),
      get('acme-prod-assets', 'config/payments-api/production.json'),
    ],
  },
  {
    subject: 'repo:acme/web:environment:production',
    role: ROLES.githubDeploy,
    weight: 3,
    operations: (random) => [
      list('acme-prod-assets', 'static/'),
      ...webBundle(random, between(random, 2, 6)).map((key) => put('acme-prod-assets', key)),
    ],
  },
  {
    subject: 'repo:acme/web:environment:staging',
    role: ROLES.githubDeployStaging,
    weight: 3,
    operations: (random) =>
      webBundle(random, between(random, 2, 4)).map((key) => put('acme-staging-assets', key)),
  },
  {
    subject: 'repo:acme/checkout:ref:refs/heads/main',
    role: ROLES.githubDeploy,
    weight: 2,
    operations: (_random, commit) => [
      put('acme-deploy-artifacts', `builds/checkout/${commit}/checkout.zip`),
      get('acme-prod-assets', 'config/checkout/production.json'),
      // `aws cloudformation deploy`: CloudFormation fetches the template with the job's session.
      {
        ...get('acme-deploy-artifacts', `builds/checkout/${commit}/template.yaml`),
        viaService: 'cloudformation.amazonaws.com',
      },
    ],
  },
  {
    subject: 'repo:acme/infra:ref:refs/heads/main',
    role: ROLES.githubDeploy,
    weight: 1,
    operations: () => [
      get('acme-terraform-state', 'prod/network/terraform.tfstate'),
      get('acme-terraform-state', 'prod/eks/terraform.tfstate'),
      put('acme-terraform-state', 'prod/eks/terraform.tfstate'),
    ],
  },
  {
    subject: 'repo:acme/payments-api:pull_request',
    role: ROLES.githubDeployStaging,
    weight: 3,
    operations: (random, commit) => [
      get('acme-staging-assets', 'config/payments-api/preview.json'),
      put('acme-staging-assets', `previews/payments-api/pr-${between(random, 1800, 1900)}/${commit}.tar.gz`),
    ],
  },
];

function weighted<T extends { readonly weight: number }>(random: Random, values: readonly T[]): T {
  let left = random() * values.reduce((sum, value) => sum + value.weight, 0);
  for (const value of values) {
    left -= value.weight;
    if (left < 0) return value;
  }
  return values[values.length - 1]!;
}

/** One GitHub Actions job that assumes `role` and makes the S3 calls of its deploy step. */
export function githubJob(
  log: TrafficLog,
  subject: string,
  role: AwsRole,
  time: number,
  operations: readonly S3Operation[],
): RoleSession {
  return runFederatedJob(log, {
    time,
    providerArn: oidcProviderArn(role.account, GITHUB_ISSUER_HOST),
    audience: 'sts.amazonaws.com',
    subject,
    role,
    sessionName: 'GitHubActions',
    client: githubRunner(log.random),
    operations,
  });
}

function githubActionsOnAws(log: TrafficLog, from: number, to: number, runs: number): void {
  for (let run = 0; run < runs; run++) {
    const workflow = weighted(log.random, AWS_WORKFLOWS);
    const time = businessTime(log.random, from, to);
    githubJob(
      log,
      workflow.subject,
      workflow.role,
      time,
      workflow.operations(log.random, hex(log.random, 40)),
    );
  }
}

// ---------------------------------------------------------------- EKS (IRSA)

const GO_SDK = 'aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64';
const BOTO3 =
  'Boto3/1.35.76 md/Botocore#1.35.76 ua/2.0 os/linux#6.1.115-126.197.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.76';

export interface EksWorkload {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly role: AwsRole;
  readonly sdk: 'go' | 'python';
  /** What the pod reads and writes in one credential hour; `busy` is the business weight then. */
  readonly operations: (random: Random, hour: Date, busy: number) => S3Operation[];
}

function hourPath(hour: Date): string {
  return hour.toISOString().slice(0, 13).replace('T', '/').replaceAll('-', '/');
}

export const EKS_WORKLOADS = {
  etlRunner: {
    namespace: 'data',
    serviceAccount: 'etl-runner',
    role: ROLES.etlRunner,
    sdk: 'go',
    operations: (random, hour) => [
      list('acme-prod-data', `raw/events/${hourPath(hour)}/`),
      ...repeat(between(random, 1, 4), (i) =>
        get(
          'acme-prod-data',
          `raw/events/${hourPath(hour)}/part-${String(i).padStart(5, '0')}.snappy.parquet`,
        ),
      ),
      put('acme-prod-data', `curated/events/${hourPath(hour)}/events.parquet`),
    ],
  },
  paymentsWorker: {
    namespace: 'payments',
    serviceAccount: 'api-worker',
    role: ROLES.paymentsWorker,
    sdk: 'python',
    operations: (random, _hour, busy) =>
      repeat(between(random, 0, Math.round(3 * busy)), () =>
        pick(random, [
          get('acme-prod-data', 'reference/fx-rates/latest.json'),
          head('acme-prod-data', 'reference/bin-ranges/current.csv'),
        ]),
      ),
  },
  featureLoader: {
    namespace: 'ml',
    serviceAccount: 'feature-loader',
    role: ROLES.featureLoader,
    sdk: 'python',
    operations: (random, hour) =>
      repeat(between(random, 1, 2), (i) =>
        get(
          'acme-prod-data',
          `features/customer-risk/${hour.toISOString().slice(0, 10)}/part-0000${i}.parquet`,
        ),
      ),
  },
} as const satisfies Record<string, EksWorkload>;

export function eksSubject(workload: EksWorkload): string {
  return `system:serviceaccount:${workload.namespace}:${workload.serviceAccount}`;
}

/** A pod behind a NAT gateway for STS, and a VPC gateway endpoint for S3. */
function eksPod(random: Random, workload: EksWorkload): AwsClient {
  const agent = workload.sdk === 'go' ? GO_SDK : BOTO3;
  return {
    stsIp: `198.51.100.${between(random, 20, 21)}`,
    s3Ip: `10.20.${between(random, 0, 15)}.${between(random, 2, 254)}`,
    stsUserAgent: workload.sdk === 'go' ? `${agent} api/sts#1.33.2` : agent,
    s3UserAgent: () => `[${workload.sdk === 'go' ? `${agent} api/s3#1.71.0` : agent}]`,
    vpcEndpointId: 'vpce-0a7c3e91d5b2f4068',
  };
}

function eksSessionName(random: Random, workload: EksWorkload, time: number): string {
  // The SDKs name IRSA sessions after the clock: Go in nanoseconds, botocore in seconds.
  return workload.sdk === 'go'
    ? `aws-go-sdk-${time}${decimalId(random, 6)}`
    : `botocore-session-${Math.floor(time / SECOND)}`;
}

export function eksJob(
  log: TrafficLog,
  workload: EksWorkload,
  time: number,
  operations: readonly S3Operation[],
  denied = false,
): RoleSession {
  return runFederatedJob(log, {
    time,
    providerArn: oidcProviderArn(workload.role.account, EKS_ISSUER_HOST),
    audience: 'sts.amazonaws.com',
    subject: eksSubject(workload),
    role: workload.role,
    sessionName: eksSessionName(log.random, workload, time),
    client: eksPod(log.random, workload),
    operations,
    gap: denied ? [1 * SECOND, 3 * SECOND] : [5 * SECOND, 5 * MINUTE],
    denied,
  });
}

function eksWorkloads(log: TrafficLog, from: number, to: number): void {
  for (const hour of hoursBetween(from, to)) {
    for (const workload of Object.values(EKS_WORKLOADS)) {
      const time = hour + between(log.random, 0, 10 * MINUTE);
      eksJob(log, workload, time, workload.operations(log.random, new Date(hour), businessWeight(time)));
    }
  }
}

// ---------------------------------------------------------------- SaaS vendor

export function vendorScan(log: TrafficLog, time: number, operations: readonly S3Operation[]): RoleSession {
  const ip = `203.0.113.${between(log.random, 50, 53)}`;
  const agent =
    'aws-sdk-java/2.29.29 Linux/6.1.112 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/standard';
  return runFederatedJob(log, {
    time,
    providerArn: oidcProviderArn(ROLES.vendorScanner.account, VENDOR_ISSUER_HOST),
    audience: 'sts.amazonaws.com',
    subject: VENDOR_TENANT,
    role: ROLES.vendorScanner,
    sessionName: `vendor-scan-${lowerAlnum(log.random, 10)}`,
    client: { stsIp: ip, s3Ip: ip, stsUserAgent: agent, s3UserAgent: () => `[${agent}]` },
    operations,
  });
}

function vendorScans(log: TrafficLog, from: number, to: number): void {
  for (const hour of hoursBetween(from, to)) {
    if (new Date(hour).getUTCHours() % 6 !== 0) continue;
    const day = new Date(hour - HOUR).toISOString().slice(0, 10);
    const objects = repeat(
      between(log.random, 3, 7),
      () => `alb/${day}/acme-prod-alb_${hex(log.random, 16)}.log.gz`,
    );
    vendorScan(log, hour + between(log.random, 10, 25) * MINUTE, [
      list('acme-audit-logs', `alb/${day}/`),
      ...objects.map((key) => get('acme-audit-logs', key)),
    ]);
  }
}

/** Everything ordinary that happens on AWS in [from, to). */
export function ordinaryAwsTraffic(log: TrafficLog, from: number, to: number, githubRuns: number): void {
  githubActionsOnAws(log, from, to, githubRuns);
  eksWorkloads(log, from, to);
  vendorScans(log, from, to);
}
