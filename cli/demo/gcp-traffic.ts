/**
 * Acme's ordinary GCP federation traffic: GitHub Actions deploys that exchange their OIDC token and
 * impersonate a deployer service account, and GKE pods that read buckets as their own federated
 * principal (Workload Identity without a Google service account).
 */
import {
  exchangeTokenEntry,
  type GcpCaller,
  type GcpServiceAccount,
  generateAccessTokenEntry,
  type StorageOperation,
  storageEntry,
} from './gcp-log-entries.js';
import {
  federatedPrincipal,
  GCP_LOCATION,
  GCP_PROJECT,
  GITHUB_POOL,
  GITHUB_PROVIDER,
  gkePrincipal,
  SERVICE_ACCOUNTS,
  webBundle,
} from './organisation.js';
import { between, hex, type Random } from './random.js';
import { businessTime, hoursBetween, MINUTE, SECOND, spacedTimes } from './schedule.js';
import type { TrafficLog } from './traffic-log.js';

export interface BucketCall {
  readonly bucket: string;
  readonly operation: StorageOperation;
}

const getObject = (bucket: string, object: string): BucketCall => ({
  bucket,
  operation: { method: 'storage.objects.get', object },
});
const createObject = (bucket: string, object: string): BucketCall => ({
  bucket,
  operation: { method: 'storage.objects.create', object },
});
const listObjects = (bucket: string): BucketCall => ({
  bucket,
  operation: { method: 'storage.objects.list' },
});

// ---------------------------------------------------------------- GitHub Actions

const AUTH_AGENT = 'google-github-actions:auth/2.1.7';
const UPLOAD_AGENT = 'google-github-actions:upload-cloud-storage/2.2.1 gl-node/20.18.0 gccl/7.14.0,gzip(gfe)';

export function githubRunnerCaller(random: Random): GcpCaller {
  return { ip: `192.0.2.${between(random, 1, 254)}`, userAgent: AUTH_AGENT };
}

export interface GcpDeploy {
  readonly subject: string;
  readonly serviceAccount: GcpServiceAccount;
  readonly calls: readonly BucketCall[];
  /** The repository lacks roles/iam.workloadIdentityUser on the service account. */
  readonly impersonationDenied?: boolean;
}

/** google-github-actions/auth exchanges the token and impersonates; the job then uploads. */
export function githubDeployOnGcp(log: TrafficLog, time: number, deploy: GcpDeploy): void {
  const { random } = log;
  const caller = githubRunnerCaller(random);
  const principal = federatedPrincipal(GITHUB_POOL, deploy.subject);
  const project = GCP_PROJECT;
  const exchange = { time, project, provider: GITHUB_PROVIDER, caller };
  log.logEntry(
    time,
    exchangeTokenEntry(random, exchange, { subject: deploy.subject, mappedPrincipal: principal }),
  );

  const tokenTime = time + between(random, 200, 900);
  log.logEntry(
    tokenTime,
    generateAccessTokenEntry(random, {
      time: tokenTime,
      project,
      serviceAccount: deploy.serviceAccount,
      principalSubject: principal,
      caller: { ip: caller.ip, userAgent: `${AUTH_AGENT},gzip(gfe)` },
      ...(deploy.impersonationDenied ? { denied: true } : {}),
    }),
  );
  if (deploy.impersonationDenied) return;

  const times = spacedTimes(random, tokenTime, deploy.calls.length, 2 * SECOND, 40 * SECOND);
  deploy.calls.forEach(({ bucket, operation }, i) => {
    const callTime = times[i]!;
    log.logEntry(
      callTime,
      storageEntry(random, {
        time: callTime,
        project,
        bucket,
        location: GCP_LOCATION,
        operation,
        identity: { serviceAccount: deploy.serviceAccount.email, impersonatedBy: principal },
        caller: { ip: caller.ip, userAgent: UPLOAD_AGENT },
      }),
    );
  });
}

interface GcpWorkflow {
  readonly subject: string;
  readonly serviceAccount: GcpServiceAccount;
  readonly runs: number;
  readonly calls: (random: Random, commit: string) => BucketCall[];
  readonly impersonationDenied?: boolean;
}

const GCP_WORKFLOWS: readonly GcpWorkflow[] = [
  {
    subject: 'repo:acme/ml-platform:ref:refs/heads/main',
    serviceAccount: SERVICE_ACCOUNTS.deployer,
    runs: 40,
    calls: (_random, commit) => [
      getObject('acme-ml-models', 'registry/index.json'),
      createObject('acme-ml-models', `pipelines/${commit}/pipeline.json`),
      createObject('acme-ml-models', 'registry/index.json'),
    ],
  },
  {
    subject: 'repo:acme/web:environment:production',
    serviceAccount: SERVICE_ACCOUNTS.deployer,
    runs: 35,
    calls: (random) => [
      listObjects('acme-prod-web'),
      ...webBundle(random, between(random, 2, 5)).map((object) => createObject('acme-prod-web', object)),
    ],
  },
  {
    subject: 'repo:acme/data-pipeline:ref:refs/heads/main',
    serviceAccount: SERVICE_ACCOUNTS.dataflowDeployer,
    runs: 25,
    calls: (_random, commit) => [
      createObject('acme-dataflow-templates', `templates/${commit}/etl.json`),
      createObject('acme-dataflow-templates', `staging/${commit}/pipeline.jar`),
    ],
  },
  {
    // The docs site was never granted the deployer: its attempts are denied (and redacted).
    subject: 'repo:acme/docs:ref:refs/heads/main',
    serviceAccount: SERVICE_ACCOUNTS.deployer,
    runs: 2,
    calls: () => [],
    impersonationDenied: true,
  },
];

function githubActionsOnGcp(log: TrafficLog, from: number, to: number): void {
  for (const workflow of GCP_WORKFLOWS) {
    for (let run = 0; run < workflow.runs; run++) {
      githubDeployOnGcp(log, businessTime(log.random, from, to), {
        subject: workflow.subject,
        serviceAccount: workflow.serviceAccount,
        calls: workflow.calls(log.random, hex(log.random, 40)),
        ...(workflow.impersonationDenied ? { impersonationDenied: true } : {}),
      });
    }
  }
}

// ---------------------------------------------------------------- GKE Workload Identity

const GKE_AGENT = 'gcloud-python/2.18.2 gl-python/3.11.11 grpc/1.68.1 gax/2.24.0 gccl/2.18.2,gzip(gfe)';

function gkePodCalls(
  log: TrafficLog,
  namespace: string,
  serviceAccount: string,
  time: number,
  calls: readonly BucketCall[],
): void {
  const { random } = log;
  const caller = { ip: `10.128.0.${between(random, 2, 60)}`, userAgent: GKE_AGENT };
  const identity = { federatedPrincipal: gkePrincipal(namespace, serviceAccount) };
  const times = spacedTimes(random, time, calls.length, 1 * SECOND, 20 * SECOND);
  calls.forEach(({ bucket, operation }, i) => {
    const callTime = times[i]!;
    log.logEntry(
      callTime,
      storageEntry(random, {
        time: callTime,
        project: GCP_PROJECT,
        bucket,
        location: GCP_LOCATION,
        operation,
        identity,
        caller,
      }),
    );
  });
}

function gkeWorkloads(log: TrafficLog, from: number, to: number, trainingRuns: number): void {
  const { random } = log;
  // The model server polls for a new model version every hour and reloads a few times a day.
  for (const hour of hoursBetween(from, to)) {
    const reload = random() < 0.2;
    gkePodCalls(log, 'ml', 'model-server', hour + between(random, 0, 5 * MINUTE), [
      listObjects('acme-ml-models'),
      ...(reload
        ? [
            getObject('acme-ml-models', 'models/fraud-detector/current/metadata.json'),
            getObject('acme-ml-models', 'models/fraud-detector/current/model.onnx'),
          ]
        : []),
    ]);
  }
  for (let run = 0; run < trainingRuns; run++) {
    const time = businessTime(random, from, to);
    const day = new Date(time).toISOString().slice(0, 10);
    const version = `v${between(random, 40, 99)}`;
    gkePodCalls(log, 'ml', 'trainer', time, [
      ...Array.from({ length: between(random, 4, 10) }, (_, i) =>
        getObject('acme-ml-models', `datasets/transactions/${day}/part-0000${i}.parquet`),
      ),
      createObject('acme-ml-models', `models/fraud-detector/${version}/model.onnx`),
      createObject('acme-ml-models', `models/fraud-detector/${version}/metadata.json`),
    ]);
  }
}

/** Everything ordinary that happens on GCP in [from, to). */
export function ordinaryGcpTraffic(log: TrafficLog, from: number, to: number): void {
  githubActionsOnGcp(log, from, to);
  gkeWorkloads(log, from, to, 20);
}
