/**
 * The organisation whose week the demo replays: Acme, with a prod and a staging AWS account, a
 * GCP project, GitHub Actions, EKS and GKE workloads, and one SaaS vendor. Names only; what each
 * of them does is in the traffic modules.
 */
import type { AwsRole } from './cloudtrail-records.js';
import type { GcpServiceAccount } from './gcp-log-entries.js';
import { hex, type Random } from './random.js';

export const AWS_REGION = 'us-east-1';
export const PROD_ACCOUNT = '111122223333';
export const STAGING_ACCOUNT = '444455556666';

export function oidcProviderArn(account: string, issuerHost: string): string {
  return `arn:aws:iam::${account}:oidc-provider/${issuerHost}`;
}

export const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com';
export const EKS_ISSUER_HOST = 'oidc.eks.us-east-1.amazonaws.com/id/5C8F2A9E1B7D4F6A3E0C9B8D7A6F5E4D';
export const VENDOR_ISSUER_HOST = 'oidc.vendor.example';
export const VENDOR_TENANT = 'tenant:acme-3f9c2d71';

export const ROLES = {
  githubDeploy: { account: PROD_ACCOUNT, name: 'github-deploy', id: 'AROARZ4KQ7XD2MBNV5JHT' },
  githubDeployStaging: { account: STAGING_ACCOUNT, name: 'github-deploy', id: 'AROAW3PL6YHC8QTRD2KSE' },
  etlRunner: { account: PROD_ACCOUNT, name: 'eks-etl-runner', id: 'AROAJ7VN2QMX5KDTH8RCA' },
  paymentsWorker: { account: PROD_ACCOUNT, name: 'eks-payments-api-worker', id: 'AROAT5HD9WZK3LNP6QFEB' },
  featureLoader: { account: PROD_ACCOUNT, name: 'eks-ml-feature-loader', id: 'AROAM8CX4RJT7VBW2NHPD' },
  vendorScanner: { account: PROD_ACCOUNT, name: 'vendor-scanner', id: 'AROAQ2NF6KZD9HXM4TBLW' },
  mlGcpSync: { account: PROD_ACCOUNT, name: 'ml-gcp-sync', id: 'AROAK4TZ8NWQ2RHD6MXVB' },
} as const satisfies Record<string, AwsRole>;

export const GCP_PROJECT = 'acme-prod';
export const GCP_PROJECT_NUMBER = '123456789012';
export const GCP_LOCATION = 'us-central1';

const POOLS = `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools`;
export const GITHUB_POOL = `${POOLS}/github`;
export const GITHUB_PROVIDER = `${GITHUB_POOL}/providers/github-acme`;
export const GKE_POOL = `${POOLS}/${GCP_PROJECT}.svc.id.goog`;
/** AWS workloads federate into GCP through this pool's AWS provider. */
export const AWS_POOL = `${POOLS}/aws-prod`;
export const AWS_PROVIDER = `${AWS_POOL}/providers/aws-111122223333`;

export function federatedPrincipal(pool: string, subject: string): string {
  return `principal://iam.googleapis.com/${pool}/subject/${subject}`;
}

/** GKE Workload Identity's principal for a Kubernetes service account, without a Google one. */
export function gkePrincipal(namespace: string, serviceAccount: string): string {
  return federatedPrincipal(GKE_POOL, `ns/${namespace}/sa/${serviceAccount}`);
}

export const SERVICE_ACCOUNTS = {
  deployer: { email: `deployer@${GCP_PROJECT}.iam.gserviceaccount.com`, uniqueId: '104857602211993847561' },
  mlUploader: {
    email: `ml-uploader@${GCP_PROJECT}.iam.gserviceaccount.com`,
    uniqueId: '104857602211993847563',
  },
  dataflowDeployer: {
    email: `dataflow-deployer@${GCP_PROJECT}.iam.gserviceaccount.com`,
    uniqueId: '104857602211993847562',
  },
} as const satisfies Record<string, GcpServiceAccount>;

/** What a build of Acme's web front end uploads, to either cloud: hashed chunks, then the page. */
export function webBundle(random: Random, chunks: number): string[] {
  return [...Array.from({ length: chunks }, () => `static/js/chunk-${hex(random, 8)}.js`), 'index.html'];
}
