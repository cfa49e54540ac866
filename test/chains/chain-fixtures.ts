import {
  AWS_POOL,
  assumeRoleWithWebIdentity,
  type ChainRecord,
  DATA_PROJECT,
  federatedPrincipal,
  GITHUB_POOL,
  gcsObjectsGet,
  iamCredentialsToken,
  s3GetObject,
  stsExchangeToken,
  WIF_PROJECT,
} from './chain-records.js';

export const MAIN = 'repo:acme/api:ref:refs/heads/main';
export const FORK = 'repo:someone-else/api:pull_request';
export const RELEASE = 'repo:acme/api:ref:refs/heads/release';
export const ETL = 'repo:acme/etl:ref:refs/heads/main';

const DEPLOY_ROLE = 'acme-api-deploy';
const READER = `data-reader@${DATA_PROJECT}.iam.gserviceaccount.com`;
const sessionArn = (session: string) => `arn:aws:sts::111122223333:assumed-role/${DEPLOY_ROLE}/${session}`;

/** An AWS workload's session, exchanged at GCP's AWS provider, becomes a service account and reads GCS. */
function awsToGcp(tag: string, session: string, hour: string, minutes: readonly string[], object: string) {
  const time = (index: number) => `2025-04-16T${hour}:${minutes[index]}:00.250000000Z`;
  const principal = federatedPrincipal(AWS_POOL, sessionArn(session));
  return [
    stsExchangeToken({
      insertId: `${tag}sts`,
      time: time(0),
      project: DATA_PROJECT,
      pool: AWS_POOL,
      provider: 'aws-acme',
      subject: sessionArn(session),
      aws: true,
    }),
    iamCredentialsToken({
      insertId: `${tag}gat`,
      time: time(1),
      method: 'GenerateAccessToken',
      project: DATA_PROJECT,
      caller: principal,
      account: READER,
      uniqueId: '104857600000000000001',
    }),
    gcsObjectsGet({
      insertId: `${tag}gcs`,
      time: time(2),
      project: DATA_PROJECT,
      account: READER,
      delegatedFrom: principal,
      bucket: 'acme-data-exports',
      object,
    }),
  ];
}

/**
 * GitHub (main) -> role acme-api-deploy, session GitHubActions -> GCP AWS provider -> data-reader@
 * -> gs://acme-data-exports. Near misses: a fork's session `pr-1234` beside an exchange by session
 * `pr-9999` (other session name), and a release session of 15 minutes exchanged 20 minutes in
 * (outside the lifetime).
 */
export const AWS_TO_GCP: readonly ChainRecord[] = [
  assumeRoleWithWebIdentity({
    id: 'a2g-main-arwwi',
    time: '2025-04-16T02:00:00Z',
    role: DEPLOY_ROLE,
    session: 'GitHubActions',
    key: 'ASIAEXAMPLEA2G00MAIN',
    subject: MAIN,
  }),
  ...awsToGcp('a2gmain', 'GitHubActions', '02', ['05', '06', '07'], 'reports/main.csv'),

  assumeRoleWithWebIdentity({
    id: 'a2g-fork-arwwi',
    time: '2025-04-16T04:00:00Z',
    role: DEPLOY_ROLE,
    session: 'pr-1234',
    key: 'ASIAEXAMPLEA2G00FORK',
    subject: FORK,
  }),
  ...awsToGcp('a2gfork', 'pr-9999', '04', ['05', '06', '07'], 'reports/fork.csv'),

  assumeRoleWithWebIdentity({
    id: 'a2g-release-arwwi',
    time: '2025-04-16T06:00:00Z',
    role: DEPLOY_ROLE,
    session: 'release',
    key: 'ASIAEXAMPLEA2GRELEAS',
    subject: RELEASE,
    durationSeconds: 900,
  }),
  ...awsToGcp('a2grelease', 'release', '06', ['20', '21', '22'], 'reports/release.csv'),
];

export const SESSION_ARN = sessionArn;

const AWS_READER = `aws-reader@${WIF_PROJECT}.iam.gserviceaccount.com`;
const AWS_READER_ID = '104857600000000000009';
const OTHER_ACCOUNT_ID = '104857600000000000010';
const GCP_ROLE = 'gcp-reader';

/**
 * GitHub (acme/etl) -> GCP github-pool -> aws-reader@ (GenerateIdToken, audience sts.amazonaws.com)
 * -> AssumeRoleWithWebIdentity accounts.google.com (subject = the account's unique id) -> role
 * gcp-reader -> s3://acme-lake. Near misses: an exchange by another account's id (no ID token for
 * it) and one by aws-reader two hours after its only ID token (outside the hour).
 */
export const GCP_TO_AWS: readonly ChainRecord[] = [
  stsExchangeToken({
    insertId: 'g2asts',
    time: '2025-05-06T08:00:04.100000000Z',
    project: WIF_PROJECT,
    pool: GITHUB_POOL,
    provider: 'github-acme',
    subject: ETL,
  }),
  iamCredentialsToken({
    insertId: 'g2aidt',
    time: '2025-05-06T08:00:05.250000000Z',
    method: 'GenerateIdToken',
    project: WIF_PROJECT,
    caller: federatedPrincipal(GITHUB_POOL, ETL),
    account: AWS_READER,
    uniqueId: AWS_READER_ID,
    audience: 'sts.amazonaws.com',
  }),
  assumeRoleWithWebIdentity({
    id: 'g2a-main-arwwi',
    time: '2025-05-06T08:00:09Z',
    role: GCP_ROLE,
    session: 'gcp-ci',
    key: 'ASIAEXAMPLEG2A00MAIN',
    subject: AWS_READER_ID,
    issuer: 'google',
  }),
  s3GetObject({
    id: 'g2a-main-s3',
    time: '2025-05-06T08:01:00Z',
    role: GCP_ROLE,
    session: 'gcp-ci',
    key: 'ASIAEXAMPLEG2A00MAIN',
    bucket: 'acme-lake',
    object: 'etl/main.parquet',
    provider: 'accounts.google.com',
  }),

  assumeRoleWithWebIdentity({
    id: 'g2a-other-arwwi',
    time: '2025-05-06T08:10:00Z',
    role: GCP_ROLE,
    session: 'gcp-other',
    key: 'ASIAEXAMPLEG2AOTHER0',
    subject: OTHER_ACCOUNT_ID,
    issuer: 'google',
  }),
  s3GetObject({
    id: 'g2a-other-s3',
    time: '2025-05-06T08:11:00Z',
    role: GCP_ROLE,
    session: 'gcp-other',
    key: 'ASIAEXAMPLEG2AOTHER0',
    bucket: 'acme-lake',
    object: 'etl/other.parquet',
    provider: 'accounts.google.com',
  }),

  assumeRoleWithWebIdentity({
    id: 'g2a-late-arwwi',
    time: '2025-05-06T10:00:09Z',
    role: GCP_ROLE,
    session: 'gcp-late',
    key: 'ASIAEXAMPLEG2A00LATE',
    subject: AWS_READER_ID,
    issuer: 'google',
  }),
  s3GetObject({
    id: 'g2a-late-s3',
    time: '2025-05-06T10:01:00Z',
    role: GCP_ROLE,
    session: 'gcp-late',
    key: 'ASIAEXAMPLEG2A00LATE',
    bucket: 'acme-lake',
    object: 'etl/late.parquet',
    provider: 'accounts.google.com',
  }),
];

export const IDS = { AWS_READER_ID, OTHER_ACCOUNT_ID, READER, AWS_READER };
