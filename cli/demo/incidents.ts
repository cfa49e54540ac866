/**
 * The suspicious things planted in the week, each on a fixed day after its start, so the demo can
 * say what to look for and detection rules have something to find.
 */
import { EKS_WORKLOADS, eksJob, get, githubJob, githubRunner, list, put, vendorScan } from './aws-traffic.js';
import { roleArn, updateAssumeRolePolicyRecord } from './cloudtrail-records.js';
import { exchangeTokenEntry, setIamPolicyEntry } from './gcp-log-entries.js';
import { githubRunnerCaller } from './gcp-traffic.js';
import { cloudTrailTime } from './log-time.js';
import {
  AWS_REGION,
  GCP_PROJECT,
  GITHUB_ISSUER_HOST,
  GITHUB_POOL,
  GITHUB_PROVIDER,
  oidcProviderArn,
  ROLES,
  SERVICE_ACCOUNTS,
  VENDOR_TENANT,
} from './organisation.js';
import { between, hex } from './random.js';
import { MINUTE, onDay, SECOND, spacedTimes } from './schedule.js';
import type { TrafficLog } from './traffic-log.js';

export interface PlantedIncident {
  /** Stable, for tests and detection rules to refer to. */
  readonly id: string;
  readonly title: string;
  readonly detail: string;
}

export const FORK_SUBJECT = 'repo:someone-else/payments-api:pull_request';
/** A branch name written to be rendered: a Slack mention, Markdown and an ANSI colour escape. */
export const HOSTILE_SUBJECT = 'repo:acme/web:ref:refs/heads/<!here> *urgent*\u001b[31m';
export const WRONG_AUDIENCE = 'https://github.com/acme';

function forkPullRequest(log: TrafficLog, start: number): PlantedIncident {
  const time = onDay(log.random, start, 3, 14);
  const objects = [
    'config/payments-api/production.json',
    'config/checkout/production.json',
    'config/web/production.json',
  ];
  githubJob(log, FORK_SUBJECT, ROLES.githubDeploy, time, [
    list('acme-prod-assets', 'config/'),
    ...objects.map((key) => get('acme-prod-assets', key)),
  ]);
  return {
    id: 'fork-pull-request-assumed-deploy-role',
    title: 'A fork’s pull request assumed the production deploy role',
    detail: `${FORK_SUBJECT} assumed ${roleArn(ROLES.githubDeploy)} at ${cloudTrailTime(time)} and read ${objects.length} objects from s3://acme-prod-assets: the trust policy accepts any repository named payments-api.`,
  };
}

function awsAudienceMismatch(log: TrafficLog, start: number): PlantedIncident {
  const subject = 'repo:acme/checkout:ref:refs/heads/main';
  const first = onDay(log.random, start, 2, 10);
  const runs = [first, first + between(log.random, 25, 40) * MINUTE];
  const attempts = 4;
  for (const run of runs) {
    const client = githubRunner(log.random);
    // configure-aws-credentials retries the exchange a few seconds apart.
    for (const time of spacedTimes(log.random, run, attempts, 1 * SECOND, 6 * SECOND)) {
      log.failedAssumeRole(
        {
          time,
          region: AWS_REGION,
          providerArn: oidcProviderArn(ROLES.githubDeploy.account, GITHUB_ISSUER_HOST),
          audience: WRONG_AUDIENCE,
          subject,
          role: ROLES.githubDeploy,
          sessionName: 'GitHubActions',
          sourceIp: client.stsIp,
          userAgent: client.stsUserAgent,
        },
        'InvalidIdentityToken',
        'Incorrect token audience',
      );
    }
  }
  return {
    id: 'aws-token-audience-mismatch',
    title: 'AssumeRoleWithWebIdentity refused: incorrect token audience',
    detail: `${runs.length * attempts} InvalidIdentityToken failures for ${subject} on ${roleArn(ROLES.githubDeploy)} from ${cloudTrailTime(first)}: the workflow asks for audience ${WRONG_AUDIENCE}.`,
  };
}

function gcpAudienceMismatch(log: TrafficLog, start: number): PlantedIncident {
  const first = onDay(log.random, start, 4, 11);
  const times = [first, first + between(log.random, 3, 6) * MINUTE];
  const message = `The audience in ID Token [${WRONG_AUDIENCE}] does not match the expected audience https://iam.googleapis.com/${GITHUB_PROVIDER}.`;
  for (const time of times) {
    const call = {
      time,
      project: GCP_PROJECT,
      provider: GITHUB_PROVIDER,
      caller: githubRunnerCaller(log.random),
    };
    log.logEntry(time, exchangeTokenEntry(log.random, call, { invalidArgument: message }));
  }
  return {
    id: 'gcp-token-audience-mismatch',
    title: 'GCP token exchange refused: audience does not match',
    detail: `${times.length} ExchangeToken failures (INVALID_ARGUMENT) at ${GITHUB_PROVIDER} from ${cloudTrailTime(first)}: a token minted for ${WRONG_AUDIENCE}.`,
  };
}

function vendorReadsNewBucket(log: TrafficLog, start: number): PlantedIncident {
  const time = onDay(log.random, start, 5, 3);
  const day = new Date(time).toISOString().slice(0, 10);
  const objects = Array.from({ length: 6 }, (_, i) => `customers/exports/${day}/customers-0000${i}.csv.gz`);
  vendorScan(log, time, [
    list('acme-prod-data', 'customers/'),
    ...objects.map((key) => get('acme-prod-data', key)),
  ]);
  return {
    id: 'vendor-reads-unusual-bucket',
    title: 'The vendor integration read a bucket it never touched before, at night',
    detail: `${VENDOR_TENANT} (${roleArn(ROLES.vendorScanner)}) listed and read ${objects.length} customer exports from s3://acme-prod-data at ${cloudTrailTime(time)}; it normally reads only s3://acme-audit-logs.`,
  };
}

function accessDeniedBurst(log: TrafficLog, start: number): PlantedIncident {
  const time = onDay(log.random, start, 1, 16);
  const denied = 30;
  const workload = EKS_WORKLOADS.featureLoader;
  const keys = Array.from(
    { length: denied },
    (_, i) => `pii/customers/part-${String(i).padStart(5, '0')}.parquet`,
  );
  eksJob(
    log,
    workload,
    time,
    keys.map((key) => get('acme-prod-data', key)),
    true,
  );
  return {
    id: 's3-access-denied-burst',
    title: 'A burst of S3 AccessDenied from an EKS workload',
    detail: `system:serviceaccount:${workload.namespace}:${workload.serviceAccount} (${roleArn(workload.role)}) was denied ${denied} GetObject calls on s3://acme-prod-data/pii/ within two minutes of ${cloudTrailTime(time)}.`,
  };
}

function hostileSubject(log: TrafficLog, start: number): PlantedIncident {
  const time = onDay(log.random, start, 6, 9);
  githubJob(log, HOSTILE_SUBJECT, ROLES.githubDeploy, time, [
    put('acme-deploy-artifacts', `builds/web/${hex(log.random, 40)}/web.tar.gz`),
  ]);
  return {
    id: 'subject-with-markup-and-control-characters',
    title: 'An OIDC subject carrying a mention, Markdown and a terminal escape',
    // JSON.stringify escapes the control character, so printing the detail is harmless.
    detail: `${JSON.stringify(HOSTILE_SUBJECT)} assumed ${roleArn(ROLES.githubDeploy)} at ${cloudTrailTime(time)} and uploaded to s3://acme-deploy-artifacts; whatever renders it must neutralise it.`,
  };
}

export const WHOLE_POOL_MEMBER = `principalSet://iam.googleapis.com/${GITHUB_POOL}/*`;

function wholePoolGrant(log: TrafficLog, start: number): PlantedIncident {
  const time = onDay(log.random, start, 5, 17);
  const serviceAccount = SERVICE_ACCOUNTS.deployer;
  log.logEntry(
    time,
    setIamPolicyEntry(log.random, {
      time,
      project: GCP_PROJECT,
      serviceAccount,
      changedBy: 'dana@acme.example',
      caller: {
        ip: '198.51.100.77',
        userAgent:
          'google-cloud-sdk gcloud/508.0.0 command/gcloud.iam.service-accounts.add-iam-policy-binding invocation-id/4f1c2a environment/None environment-version/None client-os/MACOSX,gzip(gfe)',
      },
      role: 'roles/iam.workloadIdentityUser',
      member: WHOLE_POOL_MEMBER,
    }),
  );
  return {
    id: 'whole-pool-granted-impersonation',
    title: 'The whole GitHub pool may now impersonate the deployer service account',
    detail: `dana@acme.example granted roles/iam.workloadIdentityUser on ${serviceAccount.email} to ${WHOLE_POOL_MEMBER} at ${new Date(time).toISOString()}: any repository the provider admits can now deploy.`,
  };
}

/**
 * The deploy role's trust before the change: exactly the subjects the demo policy expects for it
 * (Acme's deploying repositories' main branches and the production environment).
 */
export const DEPLOY_SUBJECTS_BEFORE = [
  'repo:acme/payments-api:ref:refs/heads/main',
  'repo:acme/checkout:ref:refs/heads/main',
  'repo:acme/infra:ref:refs/heads/main',
  'repo:acme/web:ref:refs/heads/main',
  'repo:acme/web:environment:production',
];

/** The deploy role's trust widened to any owner's payments-api: what later lets the fork in. */
export const WEAK_DEPLOY_SUBJECTS = [...DEPLOY_SUBJECTS_BEFORE, 'repo:*/payments-api:*'];

function weakDeployTrust(log: TrafficLog, start: number): PlantedIncident {
  const time = onDay(log.random, start, 1, 16);
  const trustChange = (at: number, subjects: readonly string[]) =>
    updateAssumeRolePolicyRecord(log.random, {
      time: at,
      role: ROLES.githubDeploy,
      providerArn: oidcProviderArn(ROLES.githubDeploy.account, GITHUB_ISSUER_HOST),
      issuerHost: GITHUB_ISSUER_HOST,
      audience: 'sts.amazonaws.com',
      subjects,
      changedBy: { roleName: 'platform-admin', sessionName: 'erin@acme.example', ip: '198.51.100.23' },
    });
  const before = onDay(log.random, start, 0, 11);
  log.management(before, ROLES.githubDeploy.account, AWS_REGION, trustChange(before, DEPLOY_SUBJECTS_BEFORE));
  log.management(time, ROLES.githubDeploy.account, AWS_REGION, trustChange(time, WEAK_DEPLOY_SUBJECTS));
  return {
    id: 'weak-deploy-role-trust',
    title: "The production deploy role's trust admits any owner's payments-api",
    detail: `erin@acme.example widened the trust of ${roleArn(ROLES.githubDeploy)}, until then the subjects the policy expects, to also admit repo:*/payments-api:* at ${cloudTrailTime(time)}: the pattern leaves the owner open, the policy does not expect it, and the fork's pull request later uses it.`,
  };
}

/** Where the stolen key is used from: a residential address, outside every published range. */
export const STOLEN_KEY_IP = '203.0.113.201';

function stolenKey(log: TrafficLog, start: number): PlantedIncident {
  const time = onDay(log.random, start, 2, 14);
  const subject = 'repo:acme/payments-api:ref:refs/heads/main';
  const session = githubJob(log, subject, ROLES.githubDeploy, time, [
    get('acme-prod-assets', 'config/payments-api/production.json'),
  ]);
  // The job printed its credentials in a debug step; an hour later someone else uses them.
  const later = time + 62 * MINUTE;
  const keys = ['config/payments-api/production.json', 'config/checkout/production.json'];
  keys.forEach((key, i) => {
    log.s3({
      time: later + i * 40 * SECOND,
      region: AWS_REGION,
      session,
      operation: get('acme-prod-assets', key),
      sourceIp: STOLEN_KEY_IP,
      userAgent:
        '[aws-cli/2.22.35 md/awscrt#0.23.4 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/command#s3.cp]',
    });
  });
  return {
    id: 'stolen-deploy-key',
    title: "A deploy job's key used from a residential address an hour after its mint",
    detail: `The access key ${subject} minted on a GitHub runner at ${cloudTrailTime(time)} (${roleArn(ROLES.githubDeploy)}) read ${keys.length} production configs from ${STOLEN_KEY_IP} at ${cloudTrailTime(later)}, outside GitHub Actions' ranges.`,
  };
}

/** Plants every incident in the week that starts at `start`; they fall between its days 1 and 6. */
export function plantIncidents(log: TrafficLog, start: number): PlantedIncident[] {
  return [
    weakDeployTrust(log, start),
    accessDeniedBurst(log, start),
    awsAudienceMismatch(log, start),
    forkPullRequest(log, start),
    gcpAudienceMismatch(log, start),
    vendorReadsNewBucket(log, start),
    hostileSubject(log, start),
    wholePoolGrant(log, start),
    stolenKey(log, start),
  ];
}
