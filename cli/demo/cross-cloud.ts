/**
 * Acme's nightly model sync, a chain across clouds: a GitHub Actions job assumes an AWS role, reads
 * the trained model from S3, then exchanges that role session at GCP's AWS provider (the session
 * ARN is the subject GCP logs), impersonates a service account and uploads the model to GCS. The
 * lineage reads repo:acme/ml-platform:… → the AWS role → principal://…/subject/arn:aws:sts::… →
 * ml-uploader@… → gs://acme-ml-models-serving.
 */
import { get, githubRunner, runFederatedJob } from './aws-traffic.js';
import { exchangeTokenEntry, generateAccessTokenEntry, storageEntry } from './gcp-log-entries.js';
import {
  AWS_POOL,
  AWS_PROVIDER,
  federatedPrincipal,
  GCP_LOCATION,
  GCP_PROJECT,
  GITHUB_ISSUER_HOST,
  oidcProviderArn,
  ROLES,
  SERVICE_ACCOUNTS,
} from './organisation.js';
import { between, hex } from './random.js';
import { DAY, HOUR, MINUTE, SECOND } from './schedule.js';
import type { TrafficLog } from './traffic-log.js';

export const MODEL_SYNC_SUBJECT = 'repo:acme/ml-platform:ref:refs/heads/main';
export const MODEL_SYNC_BUCKET = 'acme-ml-models-serving';
const SESSION_NAME = 'ml-gcp-sync';
const GCP_AGENT = 'google-api-nodejs-client/9.15.1 google-auth-library/9.15.1 gl-node/20.18.0';

/** The session's ARN: what GCP logs as the AWS workload's subject. */
export const MODEL_SYNC_SESSION = `arn:aws:sts::${ROLES.mlGcpSync.account}:assumed-role/${ROLES.mlGcpSync.name}/${SESSION_NAME}`;

function modelSync(log: TrafficLog, time: number): void {
  const { random } = log;
  const model = `models/ranker/${hex(random, 12)}/model.onnx`;
  const runner = githubRunner(random);
  runFederatedJob(log, {
    time,
    providerArn: oidcProviderArn(ROLES.mlGcpSync.account, GITHUB_ISSUER_HOST),
    audience: 'sts.amazonaws.com',
    subject: MODEL_SYNC_SUBJECT,
    role: ROLES.mlGcpSync,
    sessionName: SESSION_NAME,
    client: runner,
    operations: [get('acme-ml-models', model)],
  });
  const caller = { ip: runner.stsIp, userAgent: GCP_AGENT };
  const exchangeTime = time + between(random, 40, 90) * SECOND;
  const principal = federatedPrincipal(AWS_POOL, MODEL_SYNC_SESSION);
  log.logEntry(
    exchangeTime,
    exchangeTokenEntry(
      random,
      { time: exchangeTime, project: GCP_PROJECT, provider: AWS_PROVIDER, caller, aws: true },
      { subject: MODEL_SYNC_SESSION, mappedPrincipal: principal },
    ),
  );
  const tokenTime = exchangeTime + between(random, 1, 3) * SECOND;
  log.logEntry(
    tokenTime,
    generateAccessTokenEntry(random, {
      time: tokenTime,
      project: GCP_PROJECT,
      serviceAccount: SERVICE_ACCOUNTS.mlUploader,
      principalSubject: principal,
      caller,
    }),
  );
  const uploadTime = tokenTime + between(random, 5, 30) * SECOND;
  log.logEntry(
    uploadTime,
    storageEntry(random, {
      time: uploadTime,
      project: GCP_PROJECT,
      bucket: MODEL_SYNC_BUCKET,
      location: GCP_LOCATION,
      operation: { method: 'storage.objects.create', object: model },
      identity: { serviceAccount: SERVICE_ACCOUNTS.mlUploader.email, impersonatedBy: principal },
      caller,
    }),
  );
}

/** Once a night, at about 02:00 UTC, for each day of the week. */
export function crossCloudTraffic(log: TrafficLog, from: number, to: number): void {
  for (let day = Math.ceil(from / DAY) * DAY; day + 3 * HOUR < to; day += DAY) {
    modelSync(log, day + 2 * HOUR + between(log.random, 0, 20) * MINUTE);
  }
}
