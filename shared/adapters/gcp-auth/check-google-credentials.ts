import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { AWS_SUBJECT_TOKEN_TYPE, EXTERNAL_ACCOUNT_TYPE } from './aws-credential-config.js';

/**
 * A cold-start check of the Google credentials a function is about to use through Application
 * Default Credentials. google-auth-library loads whatever GOOGLE_APPLICATION_CREDENTIALS names,
 * a service account key included, and @google-cloud/common sends requests unauthenticated when
 * it finds no credentials at all; both fail late or not at all. This fails at start, saying why.
 */
export class GoogleCredentialsError extends Error {
  override readonly name = 'GoogleCredentialsError';
}

export interface GoogleCredentialsRequirement {
  /**
   * True on AWS Lambda: the only way to Google is an `external_account` config of the AWS kind.
   * False elsewhere (Cloud Functions use their attached service account): no file is needed,
   * and a file that holds a key is still refused.
   */
  readonly awsFederation: boolean;
  /** Reads the file the variable names; default node:fs. */
  readonly readText?: (path: string) => Promise<string>;
  /** Resolves a relative path the way the library does (against the working directory). */
  readonly cwd?: string;
}

export type GoogleCredentialsSummary =
  | { readonly source: 'ambient' }
  | { readonly source: 'config-file'; readonly path: string; readonly type: string }
  | {
      readonly source: 'aws-federation';
      readonly path: string;
      readonly audience: string;
      /** The impersonated service account, or null when the federated principal acts itself. */
      readonly serviceAccount: string | null;
    };

/** Fields that only ever hold a long-lived secret. */
const STATIC_SECRET_FIELDS = ['private_key', 'private_key_id', 'client_secret', 'refresh_token'] as const;
const AUDIENCE =
  /^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/;
const IMPERSONATED_ACCOUNT = /\/serviceAccounts\/([^/:]+):generateAccessToken$/;

const HOW_TO_FIX =
  'Package the federation config instead: terraform -chdir=infra/gcp output -raw lambda_credential_config > gcp-wif-credentials.json, ' +
  'and set GOOGLE_APPLICATION_CREDENTIALS to that file (README, "No static keys").';

type Env = Readonly<Record<string, string | undefined>>;

export async function checkGoogleCredentials(
  env: Env,
  requirement: GoogleCredentialsRequirement,
): Promise<GoogleCredentialsSummary> {
  const named = env.GOOGLE_APPLICATION_CREDENTIALS || env.google_application_credentials || '';
  if (named === '') {
    if (!requirement.awsFederation) return { source: 'ambient' };
    throw new GoogleCredentialsError(
      'GOOGLE_APPLICATION_CREDENTIALS is not set: on AWS Lambda the BigQuery store is reached only through workload identity federation. ' +
        HOW_TO_FIX,
    );
  }
  const path = isAbsolute(named) ? named : resolve(requirement.cwd ?? process.cwd(), named);
  const config = await readConfig(path, requirement.readText ?? ((file) => readFile(file, 'utf8')));

  const secret = staticSecretIn(config);
  if (secret !== undefined) {
    throw new GoogleCredentialsError(
      `${path} (GOOGLE_APPLICATION_CREDENTIALS) holds a static secret (${secret}); tokentrail refuses long-lived keys. ` +
        `Delete the file, revoke the key in the Google Cloud console, and use workload identity federation. ${HOW_TO_FIX}`,
    );
  }
  if (!requirement.awsFederation) return { source: 'config-file', path, type: String(config.type) };
  return awsFederationSummary(path, config, env);
}

/**
 * The long-lived secret a credential config holds, if any: the first secret field, or a service
 * account key as such. Packaging refuses such a file too (functions/aws/packaged-credentials.cjs).
 */
export function staticSecretIn(config: Readonly<Record<string, unknown>>): string | undefined {
  const secret = STATIC_SECRET_FIELDS.find((field) => field in config);
  return secret ?? (config.type === 'service_account' ? 'a service account key' : undefined);
}

/**
 * Why a credential config is not an AWS workload identity federation config the library can use
 * on Lambda, or undefined when it is one. Packaging asks the same (packaged-credentials.cjs).
 */
export function notAwsFederation(config: Readonly<Record<string, unknown>>): string | undefined {
  if (config.type !== EXTERNAL_ACCOUNT_TYPE) {
    return `type is ${JSON.stringify(config.type)}, not "${EXTERNAL_ACCOUNT_TYPE}"`;
  }
  if (config.subject_token_type !== AWS_SUBJECT_TOKEN_TYPE) {
    return `subject_token_type is ${JSON.stringify(config.subject_token_type)}, not "${AWS_SUBJECT_TOKEN_TYPE}"`;
  }
  const source = config.credential_source as Record<string, unknown> | undefined;
  if (typeof source?.environment_id !== 'string' || !source.environment_id.startsWith('aws')) {
    return 'credential_source.environment_id is not "aws1"';
  }
  if (typeof config.audience !== 'string' || !AUDIENCE.test(config.audience)) {
    return `audience ${JSON.stringify(config.audience)} is not //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`;
  }
  const impersonation = config.service_account_impersonation_url;
  if (typeof impersonation === 'string' && !IMPERSONATED_ACCOUNT.test(impersonation)) {
    return `service_account_impersonation_url ${JSON.stringify(impersonation)} does not end in serviceAccounts/EMAIL:generateAccessToken`;
  }
  return undefined;
}

async function readConfig(
  path: string,
  readText: (path: string) => Promise<string>,
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readText(path);
  } catch (error) {
    throw new GoogleCredentialsError(
      `cannot read ${path}, which GOOGLE_APPLICATION_CREDENTIALS names (${(error as Error).message}); ` +
        'is gcp-wif-credentials.json packaged with the function?',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GoogleCredentialsError(`${path} (GOOGLE_APPLICATION_CREDENTIALS) is not JSON. ${HOW_TO_FIX}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GoogleCredentialsError(
      `${path} (GOOGLE_APPLICATION_CREDENTIALS) is not a credential config object. ${HOW_TO_FIX}`,
    );
  }
  return parsed as Record<string, unknown>;
}

function awsFederationSummary(
  path: string,
  config: Record<string, unknown>,
  env: Env,
): GoogleCredentialsSummary {
  const problem = notAwsFederation(config);
  if (problem !== undefined) {
    throw new GoogleCredentialsError(
      `${path} (GOOGLE_APPLICATION_CREDENTIALS) is not an AWS workload identity federation config: ${problem}. ${HOW_TO_FIX}`,
    );
  }
  const source = config.credential_source as Record<string, unknown>;
  // Without these the library falls back to the EC2 metadata service, which a Lambda does not have.
  const missing = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].filter((name) => !env[name]);
  if (!env.AWS_REGION && !env.AWS_DEFAULT_REGION) missing.push('AWS_REGION');
  if (missing.length > 0 && typeof source.url !== 'string') {
    throw new GoogleCredentialsError(
      `${missing.join(', ')} missing from the environment: the federation config signs with the Lambda role's own credentials, which AWS Lambda sets. ` +
        "Run this on Lambda (or export a role session's credentials to try it elsewhere).",
    );
  }
  const impersonation = config.service_account_impersonation_url;
  const serviceAccount =
    typeof impersonation === 'string' ? (IMPERSONATED_ACCOUNT.exec(impersonation)?.[1] ?? null) : null;
  return { source: 'aws-federation', path, audience: config.audience as string, serviceAccount };
}
