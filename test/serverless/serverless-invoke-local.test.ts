import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import { FakeBigQuery } from '../helpers/fake-bigquery.js';
import { type FakeS3, startFakeS3 } from '../helpers/fake-s3.js';
import { killRunningProcesses } from '../helpers/run-process.js';
import { assumeRoleWithWebIdentity, cloudTrailFile, getObject } from './cloudtrail-records.js';
import { ROOT, runServerless, type ServerlessRun } from './run-serverless.js';

/**
 * `npx serverless invoke local` runs the esbuild bundle of a handler (not the TypeScript), with the
 * provider's environment from serverless.yml and `--env` on top: here a DuckDB store file instead
 * of BigQuery, and the local S3 stand-in.
 */
const FIXTURES = 'functions/aws/fixtures';
const FILE_KEY =
  'AWSLogs/o-aa111bb222/111122223333/CloudTrail/us-east-1/2025/11/20/111122223333_CloudTrail_us-east-1_20251120T1005Z_Ab3dEf6hIj9kLm2n.json.gz';

const FEDERATED_TOKEN = 'federated-token-from-the-sts-stand-in';

/** Google STS's token endpoint: records each form body and answers with a federated access token. */
async function startFakeGoogleSts() {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      requests.push(body);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          access_token: FEDERATED_TOKEN,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** run-serverless.ts's dummy credentials, with the session token a Lambda always has. */
const INVOKE_SESSION = {
  accessKeyId: 'AKIDSERVERLESSTEST01',
  secretAccessKey: 'not-a-real-secret',
  sessionToken: 'fake-invoke-local-session-token',
  arn: 'arn:aws:sts::111122223333:assumed-role/tokentrail-dev-us-east-1-files/invoke-local',
};

/**
 * Lambda sets this in every on-demand instance and osls does not: without it Powertools cannot tell
 * a cold start (it reports none, as for provisioned concurrency).
 */
const ON_DEMAND = { AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' };

let directory: string;
let s3: FakeS3;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-invoke-local-'));
  s3 = await startFakeS3({ sessions: [INVOKE_SESSION] });
});
afterAll(async () => {
  killRunningProcesses();
  await s3.close();
  rmSync(directory, { recursive: true, force: true });
});

function invokeLocal(
  fn: string,
  eventFile: string,
  env: Record<string, string>,
  params: Record<string, string> = {},
): Promise<ServerlessRun> {
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  const paramArgs = Object.entries(params).map(([key, value]) => `--param=${key}=${value}`);
  return runServerless([
    'invoke',
    'local',
    '-f',
    fn,
    '-p',
    `${FIXTURES}/${eventFile}`,
    ...envArgs,
    ...paramArgs,
  ]);
}

/**
 * The handler's log lines on stdout (Powertools JSON, one object a line, as Lambda ships them to
 * CloudWatch Logs), its summary line among them, and its return value that osls prints after them.
 */
function outputOf(run: ServerlessRun) {
  const lines = run.stdout.split('\n');
  const isLogLine = (line: string) => line.startsWith('{"level":');
  const logIndex = lines.findLastIndex(isLogLine);
  if (run.code !== 0 || logIndex < 0)
    throw new Error(`invoke local failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  const logs = lines.filter(isLogLine).map((line) => JSON.parse(line) as Record<string, unknown>);
  const log = logs.find((line) => line.message === 'invocation');
  return { logs, log, result: JSON.parse(lines.slice(logIndex + 1).join('\n')) };
}

async function storedRows(store: string, sql: string) {
  const opened = await DuckDbStore.open(store);
  try {
    return (await opened.sql(sql)).rows;
  } finally {
    await opened.close();
  }
}

// Each case makes one osls run: its jest timeout (150 s) outlasts SERVERLESS_RUN_TIMEOUT, so a
// hung run is killed, and reported as such, before jest gives up on the case.
describe('npx serverless invoke local', () => {
  it('runs the bundled EventBridge handler into a DuckDB store', async () => {
    const store = join(directory, 'eventbridge.duckdb');
    const run = await invokeLocal('eventbridge', 'eventbridge-assume-role-with-web-identity.json', {
      TOKENTRAIL_STORE: store,
      ...ON_DEMAND,
    });
    const { logs, log, result } = outputOf(run);
    expect(log).toMatchObject({ trigger: 'eventbridge', outcome: 'ok', rows: 1, written: 1 });
    expect(result).toMatchObject({ trigger: 'eventbridge', rows: 1, written: 1 });
    // Powertools' keys from the context osls passes, as Lambda's would: a fresh process is a cold start.
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'invocation',
        service: 'tokentrail',
        cold_start: true,
        function_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        function_name: expect.stringContaining('eventbridge'),
        correlation_id: '0d3c9a52-7b1e-4c2f-9a35-6f0e1b2c3d41',
        timestamp: expect.any(String),
      }),
    ]);
    expect(await storedRows(store, 'SELECT subject, principal FROM events')).toEqual([
      {
        subject: 'repo:acme/payments-api:ref:refs/heads/main',
        principal: 'arn:aws:iam::111122223333:role/github-deploy',
      },
    ]);
  }, 150_000);

  it('writes to BigQuery through workload identity federation (local STS and BigQuery stand-ins)', async () => {
    const bigquery = await FakeBigQuery.start();
    const sts = await startFakeGoogleSts();
    // The deployed credential config, with Google STS replaced by the stand-in.
    const credentials = join(directory, 'gcp-wif-credentials.json');
    const config = JSON.parse(readFileSync(join(ROOT, FIXTURES, 'gcp-wif-credentials.example.json'), 'utf8'));
    delete config.service_account_impersonation_url;
    writeFileSync(credentials, JSON.stringify({ ...config, token_url: `${sts.url}/v1/token` }));
    try {
      const run = await invokeLocal(
        'eventbridge',
        'eventbridge-assume-role-with-web-identity.json',
        { TOKENTRAIL_BIGQUERY_ENDPOINT: bigquery.endpoint, METADATA_SERVER_DETECTION: 'none' },
        { bigQueryProject: 'acme-audit', bigQueryDataset: 'tokentrail', gcpCredentialsFile: credentials },
      );
      expect(outputOf(run).log).toMatchObject({ trigger: 'eventbridge', outcome: 'ok', written: 1 });

      // The Lambda's AWS credentials signed a GetCallerIdentity request, which Google STS trades.
      expect(sts.requests).toHaveLength(1);
      const form = new URLSearchParams(sts.requests[0]!);
      expect(form.get('subject_token_type')).toBe('urn:ietf:params:aws:token-type:aws4_request');
      expect(form.get('audience')).toBe(config.audience);
      const subject = JSON.parse(decodeURIComponent(form.get('subject_token')!));
      expect(subject.url).toBe(
        'https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
      );
      expect(JSON.stringify(subject.headers)).toContain('Credential=AKIDSERVERLESSTEST01/');

      const inserts = bigquery.requestsTo('insertAll');
      expect(inserts.map((request) => request.path)).toEqual([
        '/bigquery/v2/projects/acme-audit/datasets/tokentrail/tables/events/insertAll',
      ]);
      expect(inserts[0]!.headers.authorization).toBe(`Bearer ${FEDERATED_TOKEN}`);
      expect(inserts[0]!.body.rows).toEqual([
        expect.objectContaining({
          insertId: '7c2d9e41-5a6b-4c7d-8e9f-0a1b2c3d4e01',
          json: expect.objectContaining({ subject: 'repo:acme/payments-api:ref:refs/heads/main' }),
        }),
      ]);
    } finally {
      await bigquery.close();
      await sts.close();
    }
  }, 150_000);

  it('runs the bundled scheduled detection with the packaged policy file', async () => {
    // Like Lambda, invoke local runs in the package root: the policy is found because it is packaged.
    const run = await invokeLocal(
      'scheduledDetect',
      'scheduled-event.json',
      { TOKENTRAIL_STORE: join(directory, 'schedule.duckdb') },
      { policyFile: 'docs/policy.example.yaml' },
    );
    const { log, result } = outputOf(run);
    expect(log).toMatchObject({ trigger: 'schedule', outcome: 'ok', alerts: 0 });
    expect(Date.parse(result.until) - Date.parse(result.since)).toBe(2 * 3_600_000);
  }, 150_000);

  it('runs the bundled SQS handler against the S3 stand-in', async () => {
    const accessKeyId = 'ASIAEXAMPLEINVOKE001';
    const time = '2025-11-20T10:05:00Z';
    s3.putObject(
      'acme-org-trail',
      FILE_KEY,
      cloudTrailFile([
        assumeRoleWithWebIdentity({
          eventId: 'il-mint',
          subject: 'repo:acme/web:environment:production',
          role: 'github-deploy',
          accessKeyId,
          time,
        }),
        getObject({
          eventId: 'il-read',
          role: 'github-deploy',
          accessKeyId,
          bucket: 'acme-web-assets',
          key: 'index.html',
          time,
        }),
      ]),
    );
    const store = join(directory, 'files.duckdb');
    const run = await invokeLocal('cloudtrailFiles', 'sqs-s3-object-created.json', {
      TOKENTRAIL_STORE: store,
      TOKENTRAIL_S3_ENDPOINT: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_SESSION_TOKEN: INVOKE_SESSION.sessionToken,
      ...ON_DEMAND,
    });
    const { logs, log, result } = outputOf(run);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(log).toMatchObject({ trigger: 'sqs', outcome: 'ok', received: 3, failed: 0 });
    // One line per message, named by its id, then the summary; all with the request id.
    expect(logs.map((line) => [line.message, line.correlation_id])).toEqual([
      ['sqs message', '1f0e2d3c-4b5a-4c69-8d7e-6f5a4b3c2d11'],
      ['sqs message', '2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c22'],
      ['sqs message', '3b2c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d33'],
      ['invocation', undefined],
    ]);
    expect(new Set(logs.map((line) => line.function_request_id)).size).toBe(1);
    expect(logs.map((line) => line.cold_start)).toEqual([true, true, true, true]);
    expect(logs[0]).toMatchObject({ objects: [{ bucket: 'acme-org-trail', key: FILE_KEY, rows: 2 }] });
    expect(s3.requests.map(({ key }) => key)).toEqual([FILE_KEY]);
    expect(
      await storedRows(store, "SELECT bucket, subject FROM events_attributed WHERE action = 'GetObject'"),
    ).toEqual([{ bucket: 'acme-web-assets', subject: 'repo:acme/web:environment:production' }]);
  }, 150_000);
});
