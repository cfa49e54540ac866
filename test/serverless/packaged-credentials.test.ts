import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsCredentialConfig } from '../../shared/adapters/gcp-auth/aws-credential-config.js';
import {
  checkGoogleCredentials,
  GoogleCredentialsError,
} from '../../shared/adapters/gcp-auth/check-google-credentials.js';

/**
 * serverless.yml's resolver of `gcpCredentialsFile` (functions/aws/packaged-credentials.cjs) refuses
 * to package a Google credential config the Lambdas would refuse at every cold start. It runs the
 * cold-start check's own judgement from dist/ (`npm test` builds it first); this holds the two to
 * the same verdicts, without the minutes a `serverless package` run takes (serverless-package.test.ts
 * runs three of these cases through osls itself).
 */

const ROOT = join(__dirname, '..', '..');
const RESOLVER = join(ROOT, 'functions', 'aws', 'packaged-credentials.cjs');

/**
 * The resolver as serverless runs it (it imports dist/ dynamically, which jest's CommonJS runtime
 * cannot): in a child process whose command is `serverless package`, given the parameter's value.
 */
function resolveAsPackaging(file: string): string {
  const script = `require(${JSON.stringify(RESOLVER)})({ resolveVariable: async () => ${JSON.stringify(file)} }).then(
    (value) => console.log(JSON.stringify({ value })),
    (error) => console.log(JSON.stringify({ value: error.message })))`;
  const child = spawnSync(process.execPath, ['-e', script, 'serverless', 'package'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) throw new Error(`the resolver failed: ${child.stderr}`);
  return (JSON.parse(child.stdout) as { value: string }).value;
}

const FEDERATION = awsCredentialConfig({
  providerName:
    'projects/123456789012/locations/global/workloadIdentityPools/tokentrail-aws/providers/aws-lambda',
  serviceAccountEmail: 'tokentrail-lambda@audit-proj.iam.gserviceaccount.com',
});
const LAMBDA_ENV = {
  AWS_ACCESS_KEY_ID: 'ASIAFAKEFAKEFAKEFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake-secret',
  AWS_REGION: 'us-east-1',
};

const directory = join(ROOT, '.tokentrail', 'packaged');

beforeAll(() => mkdirSync(directory, { recursive: true }));

/** What packaging says of the config: the file it packages, or its refusal. */
function packaged(name: string, config: unknown): string {
  const file = `.tokentrail/packaged/credentials-${name}-${process.pid}.json`;
  writeFileSync(join(ROOT, file), JSON.stringify(config));
  try {
    return resolveAsPackaging(file);
  } finally {
    rmSync(join(ROOT, file), { force: true });
  }
}

/** What the cold start says of the same config: nothing, or its refusal. */
async function coldStart(config: unknown): Promise<string | undefined> {
  const readText = async () => JSON.stringify(config);
  const env = { ...LAMBDA_ENV, GOOGLE_APPLICATION_CREDENTIALS: '/var/task/gcp-wif-credentials.json' };
  try {
    await checkGoogleCredentials(env, { awsFederation: true, readText });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(GoogleCredentialsError);
    return (error as Error).message;
  }
}

describe('packaging a Google credential config', () => {
  it('packages the federation config the cold start accepts, named relative to the package root', async () => {
    expect(await coldStart(FEDERATION)).toBeUndefined();
    expect(packaged('federation', FEDERATION)).toBe(
      `.tokentrail/packaged/credentials-federation-${process.pid}.json`,
    );
  });

  it.each([
    ['service-account-key', { type: 'service_account', private_key: 'x' }, 'static secret (private_key)'],
    ['client-secret', { ...FEDERATION, client_secret: 's' }, 'static secret (client_secret)'],
    [
      'other-type',
      { ...FEDERATION, type: 'impersonated_service_account' },
      'type is "impersonated_service_account"',
    ],
    [
      'oidc-token-type',
      { ...FEDERATION, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' },
      'subject_token_type is "urn:ietf:params:oauth:token-type:jwt"',
    ],
    [
      'file-source',
      { ...FEDERATION, credential_source: { file: 'oidc-token.jwt' } },
      'environment_id is not "aws1"',
    ],
    ['audience', { ...FEDERATION, audience: 'tokentrail-aws' }, 'audience "tokentrail-aws"'],
    [
      'impersonation-url',
      { ...FEDERATION, service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/x' },
      'does not end in serviceAccounts/EMAIL:generateAccessToken',
    ],
  ])('refuses %s, as the cold start would, with the same reason', async (name, config, reason) => {
    expect(await coldStart(config)).toContain(reason);
    const refusal = packaged(name, config);
    expect(refusal).toContain(`gcpCredentialsFile .tokentrail/packaged/credentials-${name}-`);
    expect(refusal).toContain(reason);
    expect(refusal).toContain('terraform output -raw lambda_credential_config');
  });
});
