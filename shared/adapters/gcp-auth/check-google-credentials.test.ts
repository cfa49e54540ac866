import { awsCredentialConfig } from './aws-credential-config.js';
import { checkGoogleCredentials, GoogleCredentialsError } from './check-google-credentials.js';

const PROVIDER =
  'projects/123456789012/locations/global/workloadIdentityPools/tokentrail-aws/providers/aws-lambda';
const SERVICE_ACCOUNT = 'tokentrail-lambda@audit-proj.iam.gserviceaccount.com';
const FEDERATION = awsCredentialConfig({ providerName: PROVIDER, serviceAccountEmail: SERVICE_ACCOUNT });

const LAMBDA_ENV = {
  GOOGLE_APPLICATION_CREDENTIALS: '/var/task/gcp-wif-credentials.json',
  AWS_ACCESS_KEY_ID: 'ASIAFAKEFAKEFAKEFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake-secret',
  AWS_SESSION_TOKEN: 'fake-session',
  AWS_REGION: 'us-east-1',
};

/** Answers reads from an in-memory file system and records which paths were read. */
function files(contents: Record<string, unknown>) {
  const read: string[] = [];
  const readText = async (path: string) => {
    read.push(path);
    const content = contents[path];
    if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return typeof content === 'string' ? content : JSON.stringify(content);
  };
  return { read, readText };
}

async function failure(promise: Promise<unknown>): Promise<GoogleCredentialsError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GoogleCredentialsError);
  return error as GoogleCredentialsError;
}

describe('checkGoogleCredentials on AWS Lambda', () => {
  it('accepts the AWS federation config and names the audience and service account', async () => {
    const { readText } = files({ '/var/task/gcp-wif-credentials.json': FEDERATION });
    await expect(checkGoogleCredentials(LAMBDA_ENV, { awsFederation: true, readText })).resolves.toEqual({
      source: 'aws-federation',
      path: '/var/task/gcp-wif-credentials.json',
      audience: `//iam.googleapis.com/${PROVIDER}`,
      serviceAccount: SERVICE_ACCOUNT,
    });
  });

  it('resolves a relative path against the working directory, as the library does', async () => {
    const { read, readText } = files({ '/var/task/gcp-wif-credentials.json': FEDERATION });
    const env = { ...LAMBDA_ENV, GOOGLE_APPLICATION_CREDENTIALS: 'gcp-wif-credentials.json' };
    await checkGoogleCredentials(env, { awsFederation: true, readText, cwd: '/var/task' });
    expect(read).toEqual(['/var/task/gcp-wif-credentials.json']);
  });

  it('refuses to start without a config, instead of sending BigQuery unauthenticated requests', async () => {
    const { GOOGLE_APPLICATION_CREDENTIALS: _, ...env } = LAMBDA_ENV;
    const error = await failure(
      checkGoogleCredentials(env, { awsFederation: true, readText: files({}).readText }),
    );
    expect(error.message).toMatch(/GOOGLE_APPLICATION_CREDENTIALS is not set/);
    expect(error.message).toMatch(/terraform .*output -raw lambda_credential_config/);
  });

  it.each([
    [
      'a service account key',
      { type: 'service_account', client_email: SERVICE_ACCOUNT, private_key: 'x' },
      'private_key',
    ],
    ['a key without its type', { private_key_id: 'abc', client_email: SERVICE_ACCOUNT }, 'private_key_id'],
    [
      'gcloud user credentials',
      { type: 'authorized_user', client_id: 'c', client_secret: 's', refresh_token: 'r' },
      'client_secret',
    ],
    [
      'a federation config carrying a client secret',
      { ...FEDERATION, client_id: 'c', client_secret: 's' },
      'client_secret',
    ],
  ])('refuses %s, naming the secret', async (_name, config, field) => {
    const { readText } = files({ '/var/task/gcp-wif-credentials.json': config });
    const error = await failure(checkGoogleCredentials(LAMBDA_ENV, { awsFederation: true, readText }));
    expect(error.message).toContain(`holds a static secret (${field})`);
    expect(error.message).toContain('revoke the key');
  });

  it.each([
    [
      'another type',
      { ...FEDERATION, type: 'impersonated_service_account' },
      /type is "impersonated_service_account"/,
    ],
    [
      'an OIDC subject token type',
      { ...FEDERATION, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' },
      /subject_token_type/,
    ],
    [
      'a file credential source',
      { ...FEDERATION, credential_source: { file: 'oidc-token.jwt' } },
      /environment_id/,
    ],
    ['a malformed audience', { ...FEDERATION, audience: 'tokentrail-aws' }, /audience "tokentrail-aws"/],
    [
      'an impersonation URL without an account',
      { ...FEDERATION, service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/x' },
      /service_account_impersonation_url/,
    ],
  ])('refuses %s', async (_name, config, message) => {
    const { readText } = files({ '/var/task/gcp-wif-credentials.json': config });
    const error = await failure(checkGoogleCredentials(LAMBDA_ENV, { awsFederation: true, readText }));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/not an AWS workload identity federation config/);
  });

  it('accepts a config without impersonation (the federated principal granted directly)', async () => {
    const { service_account_impersonation_url: _, ...direct } = FEDERATION;
    const { readText } = files({ '/var/task/gcp-wif-credentials.json': direct });
    const summary = await checkGoogleCredentials(LAMBDA_ENV, { awsFederation: true, readText });
    expect(summary).toMatchObject({ source: 'aws-federation', serviceAccount: null });
  });

  it('says which Lambda variables are missing when the AWS credentials are not in the environment', async () => {
    const { readText } = files({ '/var/task/gcp-wif-credentials.json': FEDERATION });
    const env = { GOOGLE_APPLICATION_CREDENTIALS: LAMBDA_ENV.GOOGLE_APPLICATION_CREDENTIALS };
    const error = await failure(checkGoogleCredentials(env, { awsFederation: true, readText }));
    expect(error.message).toMatch(/^AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION missing/);
  });

  it('accepts AWS_DEFAULT_REGION in place of AWS_REGION, as the library does', async () => {
    const { readText } = files({ '/var/task/gcp-wif-credentials.json': FEDERATION });
    const { AWS_REGION: _, ...rest } = LAMBDA_ENV;
    const summary = await checkGoogleCredentials(
      { ...rest, AWS_DEFAULT_REGION: 'eu-west-1' },
      { awsFederation: true, readText },
    );
    expect(summary.source).toBe('aws-federation');
  });

  it('explains an unreadable or malformed file', async () => {
    const missing = await failure(
      checkGoogleCredentials(LAMBDA_ENV, { awsFederation: true, readText: files({}).readText }),
    );
    expect(missing.message).toMatch(/cannot read \/var\/task\/gcp-wif-credentials.json.*ENOENT.*packaged/);

    for (const content of ['{"type":', '[1]']) {
      const { readText } = files({ '/var/task/gcp-wif-credentials.json': content });
      const error = await failure(checkGoogleCredentials(LAMBDA_ENV, { awsFederation: true, readText }));
      expect(error.message).toMatch(/is not (JSON|a credential config object)/);
    }
  });
});

describe('checkGoogleCredentials where the platform provides an identity', () => {
  it('is content with no file at all (Cloud Functions use their attached service account)', async () => {
    await expect(
      checkGoogleCredentials({}, { awsFederation: false, readText: files({}).readText }),
    ).resolves.toEqual({ source: 'ambient' });
  });

  it('still refuses a key file', async () => {
    const { readText } = files({ '/keys/sa.json': { type: 'service_account', private_key: 'x' } });
    const env = { GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' };
    const error = await failure(checkGoogleCredentials(env, { awsFederation: false, readText }));
    expect(error.message).toMatch(/static secret/);
  });

  it('lets another keyless config through', async () => {
    const { readText } = files({ '/etc/wif.json': FEDERATION });
    const env = { GOOGLE_APPLICATION_CREDENTIALS: '/etc/wif.json' };
    await expect(checkGoogleCredentials(env, { awsFederation: false, readText })).resolves.toEqual({
      source: 'config-file',
      path: '/etc/wif.json',
      type: 'external_account',
    });
  });
});
