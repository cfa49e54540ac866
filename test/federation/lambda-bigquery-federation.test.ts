import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInThisContext } from 'node:vm';
import { awsCredentialConfig } from '../../shared/adapters/gcp-auth/aws-credential-config.js';
import { checkGoogleCredentials } from '../../shared/adapters/gcp-auth/check-google-credentials.js';
import {
  type FunctionRuntime,
  startFunctionRuntime,
} from '../../shared/adapters/runtime/function-runtime.js';
import { processDelivery } from '../../shared/pipeline/process-delivery.js';
import { decodeValue } from '../../shared/sources/index.js';
import { FakeBigQuery } from '../helpers/fake-bigquery.js';
import { type FakeAwsSession, FakeGoogleFederation, verifySigV4 } from '../helpers/fake-google-sts.js';

// The real google-auth-library and BigQuery client over real HTTP. Their HTTP layers (gaxios,
// teeny-request) load node-fetch with import(), which jest's CommonJS sandbox refuses, so they are
// loaded outside the sandbox (see requireOutsideJest).
jest.mock('google-auth-library', () =>
  require('../helpers/fake-bigquery.js').requireOutsideJest('google-auth-library'),
);
jest.mock('@google-cloud/bigquery', () =>
  require('../helpers/fake-bigquery.js').requireOutsideJest('@google-cloud/bigquery'),
);

/**
 * "No static keys, including ours": a Lambda writes to BigQuery with nothing but its execution
 * role's temporary AWS credentials and a credential config that holds no secret. The BigQuery
 * store is opened exactly as a deployed function opens it (startFunctionRuntime, no authClient),
 * so Application Default Credentials read GOOGLE_APPLICATION_CREDENTIALS, sign an AWS STS
 * GetCallerIdentity request, exchange it at Google STS, impersonate the service account at
 * iamcredentials, and send BigQuery that token. Every Google endpoint is a local stand-in.
 */
const ROOT = resolve(__dirname, '../..');
const PROVIDER =
  'projects/987654321098/locations/global/workloadIdentityPools/tokentrail-aws/providers/aws-lambda';
const AUDIENCE = `//iam.googleapis.com/${PROVIDER}`;
const SERVICE_ACCOUNT = 'tokentrail-lambda@audit-proj.iam.gserviceaccount.com';
const LAMBDA_ROLE = 'tokentrail-prod-us-east-1-lambdaRole';

/** What Lambda puts in the environment of a function running as LAMBDA_ROLE (fakes, not keys). */
const LAMBDA_SESSION: FakeAwsSession = {
  accessKeyId: 'ASIA_FAKE_LAMBDA_SESSION',
  secretAccessKey: 'fake-lambda-session-secret',
  sessionToken: 'fake-lambda-session-token',
  arn: `arn:aws:sts::111122223333:assumed-role/${LAMBDA_ROLE}/tokentrail-prod-ingestEventBridge`,
};
const OTHER_SESSION: FakeAwsSession = {
  accessKeyId: 'ASIA_FAKE_OTHER_SESSION',
  secretAccessKey: 'fake-other-session-secret',
  sessionToken: 'fake-other-session-token',
  arn: 'arn:aws:sts::111122223333:assumed-role/build-runner/i-0123456789abcdef0',
};

/**
 * google-auth-library runs outside the sandbox with the real process, whose environment jest's
 * `process.env` only copies: both are set, and both restored.
 */
const ENVIRONMENTS = [process.env, (runInThisContext('process') as NodeJS.Process).env];
const ENV_KEYS = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'google_application_credentials',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'BIGQUERY_EMULATOR_HOST',
] as const;

function setLambdaEnvironment(values: Partial<Record<(typeof ENV_KEYS)[number], string>>): () => void {
  const saved = ENVIRONMENTS.map((env) => ENV_KEYS.map((key) => [key, env[key]] as const));
  for (const env of ENVIRONMENTS) {
    for (const key of ENV_KEYS) {
      const value = values[key];
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
  }
  return () => {
    for (const [index, env] of ENVIRONMENTS.entries()) {
      for (const [key, value] of saved[index]!) {
        if (value === undefined) delete env[key];
        else env[key] = value;
      }
    }
  };
}

function sessionEnvironment(session: FakeAwsSession, credentialsPath: string) {
  return {
    GOOGLE_APPLICATION_CREDENTIALS: credentialsPath,
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_REGION: 'us-east-1',
  };
}

const EVENT = JSON.parse(
  readFileSync(join(ROOT, 'examples/aws/eventbridge-assume-role-with-web-identity.json'), 'utf8'),
) as unknown;

describe('a Lambda writes to BigQuery through workload identity federation, with no key', () => {
  let bigquery: FakeBigQuery;
  let google: FakeGoogleFederation;
  let directory: string;
  let credentialsPath: string;
  let restoreEnvironment: () => void = () => {};
  let runtime: FunctionRuntime | null = null;

  beforeEach(async () => {
    bigquery = await FakeBigQuery.start();
    google = await FakeGoogleFederation.start({
      audience: AUDIENCE,
      awsSessions: [LAMBDA_SESSION, OTHER_SESSION],
      admittedRoles: [LAMBDA_ROLE],
      serviceAccount: SERVICE_ACCOUNT,
      workloadIdentityUsers: [LAMBDA_ROLE],
    });
    directory = mkdtempSync(join(tmpdir(), 'tokentrail-wif-'));
    credentialsPath = join(directory, 'gcp-wif-credentials.json');
    const config = awsCredentialConfig({
      providerName: PROVIDER,
      serviceAccountEmail: SERVICE_ACCOUNT,
      stsEndpoint: google.endpoint,
      iamCredentialsEndpoint: google.endpoint,
    });
    writeFileSync(credentialsPath, `${JSON.stringify(config, null, 2)}\n`);
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = null;
    restoreEnvironment();
    restoreEnvironment = () => {};
    await Promise.all([bigquery.close(), google.close()]);
    rmSync(directory, { recursive: true, force: true });
  });

  /** Cold start and one EventBridge delivery, as the Lambda handler does them. */
  async function deliverAsLambda() {
    await checkGoogleCredentials(process.env, { awsFederation: true });
    runtime = await startFunctionRuntime({
      ...process.env,
      TOKENTRAIL_STORE: 'bigquery://audit-proj/tokentrail',
      TOKENTRAIL_BIGQUERY_ENDPOINT: bigquery.endpoint,
    });
    return processDelivery(runtime.delivery, 'eventbridge', [decodeValue(EVENT, { limits: runtime.limits })]);
  }

  it('exchanges a signed GetCallerIdentity for a federated token, impersonates the service account, and writes with that token', async () => {
    restoreEnvironment = setLambdaEnvironment(sessionEnvironment(LAMBDA_SESSION, credentialsPath));
    await expect(checkGoogleCredentials(process.env, { awsFederation: true })).resolves.toEqual({
      source: 'aws-federation',
      path: credentialsPath,
      audience: AUDIENCE,
      serviceAccount: SERVICE_ACCOUNT,
    });

    const result = await deliverAsLambda();
    expect(result.ingest).toMatchObject({ written: 1, quarantined: 0 });
    expect(bigquery.stored('events')).toHaveLength(1);

    // Google STS: one RFC 8693 exchange for the provider, the subject an AWS request.
    expect(google.exchanges).toHaveLength(1);
    const [exchange] = google.exchanges;
    expect(exchange!.form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: AUDIENCE,
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
    });
    expect(exchange!.outcome).toEqual({ accessToken: expect.any(String) });

    // The subject token: GetCallerIdentity, SigV4-signed with the Lambda's session credentials.
    const signed = exchange!.signedRequest!;
    expect(signed.method).toBe('POST');
    expect(signed.url).toBe(
      'https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
    );
    const headers = Object.fromEntries(signed.headers.map(({ key, value }) => [key, value]));
    expect(Object.keys(headers).sort()).toEqual([
      'authorization',
      'host',
      'x-amz-date',
      'x-amz-security-token',
      'x-goog-cloud-target-resource',
    ]);
    expect(headers['x-goog-cloud-target-resource']).toBe(AUDIENCE);
    expect(headers['x-amz-security-token']).toBe(LAMBDA_SESSION.sessionToken);
    expect(headers.host).toBe('sts.us-east-1.amazonaws.com');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIA_FAKE_LAMBDA_SESSION\/\d{8}\/us-east-1\/sts\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(verifySigV4(signed, [LAMBDA_SESSION], new Date())).toEqual({ session: LAMBDA_SESSION });
    const forged = { ...LAMBDA_SESSION, secretAccessKey: 'another-secret' };
    expect(verifySigV4(signed, [forged], new Date())).toEqual({
      problem: expect.stringMatching(/^SignatureDoesNotMatch/),
    });

    // iamcredentials: the STS token buys a token of the service account, scoped to BigQuery.
    const stsToken = (exchange!.outcome as { accessToken: string }).accessToken;
    expect(google.impersonations).toHaveLength(1);
    const [impersonation] = google.impersonations;
    expect(impersonation!.serviceAccount).toBe(SERVICE_ACCOUNT);
    expect(impersonation!.headers.authorization).toBe(`Bearer ${stsToken}`);
    expect(impersonation!.body.scope).toContain('https://www.googleapis.com/auth/bigquery');
    const serviceAccountToken = (impersonation!.outcome as { accessToken: string }).accessToken;
    expect(serviceAccountToken).toMatch(/^ya29\.impersonated-tokentrail-lambda-/);

    // BigQuery: every request, insertAll first of all, carries the impersonated token.
    expect(bigquery.requestsTo('insertAll').length).toBeGreaterThan(0);
    expect(bigquery.requests.map((request) => request.headers.authorization)).toEqual(
      bigquery.requests.map(() => `Bearer ${serviceAccountToken}`),
    );
  });

  it.each([
    [
      'a role the provider condition does not admit',
      OTHER_SESSION,
      /unauthorized_client.*attribute condition/,
      { exchanges: 1, impersonations: 0 },
    ],
    [
      'AWS credentials that do not verify',
      { ...LAMBDA_SESSION, secretAccessKey: 'a-guessed-secret' },
      /invalid_grant.*SignatureDoesNotMatch/,
      { exchanges: 1, impersonations: 0 },
    ],
  ])(
    'refuses %s at Google STS, and BigQuery gets no request at all',
    async (_name, session, message, calls) => {
      restoreEnvironment = setLambdaEnvironment(sessionEnvironment(session, credentialsPath));
      await expect(deliverAsLambda()).rejects.toThrow(message);
      expect({ exchanges: google.exchanges.length, impersonations: google.impersonations.length }).toEqual(
        calls,
      );
      expect(bigquery.requests).toEqual([]);
    },
  );

  it('refuses a role admitted by the pool but not granted on the service account, at iamcredentials', async () => {
    await google.close();
    google = await FakeGoogleFederation.start({
      audience: AUDIENCE,
      awsSessions: [LAMBDA_SESSION],
      admittedRoles: [LAMBDA_ROLE],
      serviceAccount: SERVICE_ACCOUNT,
      workloadIdentityUsers: [],
    });
    const config = awsCredentialConfig({
      providerName: PROVIDER,
      serviceAccountEmail: SERVICE_ACCOUNT,
      stsEndpoint: google.endpoint,
      iamCredentialsEndpoint: google.endpoint,
    });
    writeFileSync(credentialsPath, JSON.stringify(config));
    restoreEnvironment = setLambdaEnvironment(sessionEnvironment(LAMBDA_SESSION, credentialsPath));
    await expect(deliverAsLambda()).rejects.toThrow(/iam\.serviceAccounts\.getAccessToken/);
    expect(google.impersonations.map((call) => call.outcome)).toEqual([
      { error: expect.stringMatching(/denied/) },
    ]);
    expect(bigquery.requests).toEqual([]);
  });

  it('does not start at all without the credential config, rather than write unauthenticated', async () => {
    const { GOOGLE_APPLICATION_CREDENTIALS: _, ...withoutConfig } = sessionEnvironment(
      LAMBDA_SESSION,
      credentialsPath,
    );
    restoreEnvironment = setLambdaEnvironment(withoutConfig);
    await expect(deliverAsLambda()).rejects.toThrow(/GOOGLE_APPLICATION_CREDENTIALS is not set/);
    expect(bigquery.requests).toEqual([]);
  });

  it('keeps no secret in the credential config', () => {
    const config = JSON.parse(readFileSync(credentialsPath, 'utf8')) as Record<string, unknown>;
    const text = JSON.stringify(config);
    for (const secret of [
      LAMBDA_SESSION.accessKeyId,
      LAMBDA_SESSION.secretAccessKey,
      LAMBDA_SESSION.sessionToken,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(Object.keys(config).sort()).toEqual([
      'audience',
      'credential_source',
      'service_account_impersonation_url',
      'subject_token_type',
      'token_url',
      'type',
    ]);
    expect(config.credential_source).toEqual({
      environment_id: 'aws1',
      regional_cred_verification_url:
        'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
    });
  });
});

describe('no key file anywhere in the repository', () => {
  /** Tracked files and new ones not ignored: what a commit could carry. */
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter((path) => path !== '')
    .filter((path) => {
      try {
        return statSync(join(ROOT, path)).isFile();
      } catch {
        return false; // deleted in the working tree
      }
    });

  it('lists the files it checks', () => {
    expect(files).toContain('infra/gcp/aws-federation.tf');
  });

  it('holds no private key, PEM or PKCS#12 file', () => {
    expect(files.filter((path) => /\.(p12|pfx|pem|key)$/i.test(path))).toEqual([]);
  });

  it('holds no key material in any file', () => {
    // A PEM private key block, or a JSON key's private_key field holding a string. (The literal
    // `"type": "service_account"` alone is no key: LogEntry fixtures carry it as a resource type.)
    const keyMaterial = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, /"private_key"\s*:\s*"/];
    const offenders = files.filter((path) => {
      const bytes = readFileSync(join(ROOT, path));
      if (bytes.includes(0)) return false; // binary (gzip fixtures, DuckDB files)
      const text = bytes.toString('utf8');
      return keyMaterial.some((pattern) => pattern.test(text));
    });
    expect(offenders).toEqual([]);
  });

  it('holds no JSON service account key', () => {
    const offenders = files
      .filter((path) => path.endsWith('.json'))
      .filter((path) => {
        try {
          const value = JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Record<string, unknown> | null;
          return (
            value?.type === 'service_account' ||
            (value !== null && typeof value === 'object' && 'private_key' in value)
          );
        } catch {
          return false; // reject fixtures hold invalid JSON on purpose
        }
      });
    expect(offenders).toEqual([]);
  });
});
