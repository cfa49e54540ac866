/**
 * Secrets named by reference, read at start-up: `env:NAME`, `ssm:/path/to/param` (AWS SSM Parameter
 * Store, decrypted), `secretsmanager:NAME_OR_ARN` (AWS Secrets Manager, SecretString) and
 * `gcpsecret:projects/P/secrets/S[/versions/V]` (GCP Secret Manager, version `latest` by default).
 * SDKs load with import() only when a reference of their kind is used; credentials come from each
 * cloud's default provider chain. Errors name the kind and the parameter or secret, never a value.
 */
import { loadGoogleAuth } from '../gcp-auth/load-google-auth.js';
import type { RetryPolicy, Sleep } from '../http/backoff.js';
import { HttpError, requestJson } from '../http/http-client.js';

export const SECRET_KINDS = ['env', 'ssm', 'secretsmanager', 'gcpsecret'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export class SecretReferenceError extends Error {
  override readonly name = 'SecretReferenceError';
  constructor(
    readonly kind: SecretKind | null,
    /** The variable, parameter or secret name: never its value. */
    readonly secretName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** For tests and special set-ups; left out, each SDK finds its region and credentials itself. */
export interface AwsSecretOptions {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/** What Secret Manager asks of a google-auth-library client. */
export interface GcpAuthClient {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
}

export interface GcpSecretOptions {
  /** Scheme and host (and port); default `https://secretmanager.googleapis.com`. */
  readonly endpoint?: string;
  /** Default: google-auth-library's Application Default Credentials. */
  readonly authClient?: GcpAuthClient;
  readonly timeoutMs?: number;
  /** Default GCP_SECRET_RETRY: a start-up read, so the waits are short. */
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

export interface ResolveSecretDeps {
  /** Where `env:NAME` looks (the caller's environment); absent, nothing is set. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly aws?: AwsSecretOptions;
  readonly gcp?: GcpSecretOptions;
}

const GCP_ENDPOINT = 'https://secretmanager.googleapis.com';
const GCP_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const GCP_SECRET_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 2000 };
const GCP_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)(?:\/versions\/([^/]+))?$/;

/** True when the text starts with one of the reference kinds (`ssm:`, `env:`, …). */
export function isSecretReference(text: string): boolean {
  return kindOf(text.trim()) !== null;
}

function kindOf(text: string): SecretKind | null {
  const colon = text.indexOf(':');
  const prefix = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  return SECRET_KINDS.find((kind) => kind === prefix) ?? null;
}

/** The value a reference names, or a SecretReferenceError saying which reference failed and why. */
export async function resolveSecret(reference: string, deps: ResolveSecretDeps = {}): Promise<string> {
  const text = reference.trim();
  const kind = kindOf(text);
  if (kind === null) {
    throw new SecretReferenceError(
      null,
      '',
      `a secret reference is ${SECRET_KINDS.map((name) => `${name}:…`).join(', ')}`,
    );
  }
  const name = text.slice(kind.length + 1).trim();
  if (name === '') throw new SecretReferenceError(kind, '', `the ${kind}: reference names nothing`);
  const value = await read(kind, name, deps);
  if (value.trim() === '') throw new SecretReferenceError(kind, name, `${describe(kind, name)} is empty`);
  return value;
}

function read(kind: SecretKind, name: string, deps: ResolveSecretDeps): Promise<string> {
  switch (kind) {
    case 'env':
      return readEnv(name, deps.env ?? {});
    case 'ssm':
      return readSsm(name, deps.aws ?? {});
    case 'secretsmanager':
      return readSecretsManager(name, deps.aws ?? {});
    case 'gcpsecret':
      return readGcpSecret(name, deps.gcp ?? {});
  }
}

function describe(kind: SecretKind, name: string): string {
  switch (kind) {
    case 'env':
      return `environment variable ${name}`;
    case 'ssm':
      return `SSM parameter "${name}"`;
    case 'secretsmanager':
      return `Secrets Manager secret "${name}"`;
    case 'gcpsecret':
      return `GCP secret "${name}"`;
  }
}

async function readEnv(name: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const value = env[name];
  if (value === undefined)
    throw new SecretReferenceError('env', name, `environment variable ${name} is not set`);
  return value;
}

/** A Secrets Manager or SSM ARN carries its region, which then wins over the default one. */
function arnRegion(name: string): string | undefined {
  const match = /^arn:aws[a-z-]*:(?:secretsmanager|ssm):([a-z0-9-]+):/.exec(name);
  return match?.[1];
}

function awsConfig(options: AwsSecretOptions, name: string) {
  const region = arnRegion(name) ?? options.region;
  return {
    ...(region ? { region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/** AWS errors by name: a missing parameter or secret is the common case and gets its own message. */
function awsFailure(kind: 'ssm' | 'secretsmanager', name: string, error: unknown, missing: string[]) {
  const code = error instanceof Error ? error.name : 'Error';
  const what = describe(kind, name);
  if (missing.includes(code)) {
    return new SecretReferenceError(kind, name, `${what} not found (${code})`, { cause: error });
  }
  const detail = error instanceof Error && error.message ? `${code}: ${error.message}` : code;
  return new SecretReferenceError(kind, name, `could not read ${what} (${detail})`, { cause: error });
}

async function readSsm(name: string, options: AwsSecretOptions): Promise<string> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient(awsConfig(options, name));
  try {
    const output = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = output.Parameter?.Value;
    if (value === undefined)
      throw new SecretReferenceError('ssm', name, `SSM parameter "${name}" has no value`);
    return value;
  } catch (error) {
    if (error instanceof SecretReferenceError) throw error;
    throw awsFailure('ssm', name, error, ['ParameterNotFound', 'ParameterVersionNotFound']);
  } finally {
    client.destroy();
  }
}

async function readSecretsManager(name: string, options: AwsSecretOptions): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient(awsConfig(options, name));
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: name }));
    if (output.SecretString === undefined) {
      throw new SecretReferenceError(
        'secretsmanager',
        name,
        `Secrets Manager secret "${name}" has no SecretString (binary secrets are not supported)`,
      );
    }
    return output.SecretString;
  } catch (error) {
    if (error instanceof SecretReferenceError) throw error;
    throw awsFailure('secretsmanager', name, error, ['ResourceNotFoundException']);
  } finally {
    client.destroy();
  }
}

async function defaultGcpAuth(): Promise<GcpAuthClient> {
  const GoogleAuth = await loadGoogleAuth();
  return new GoogleAuth({ scopes: [GCP_SCOPE] });
}

/** `GET /v1/{name}:access`; the payload's `data` is base64. */
async function readGcpSecret(reference: string, options: GcpSecretOptions): Promise<string> {
  const match = GCP_NAME.exec(reference);
  if (!match) {
    throw new SecretReferenceError(
      'gcpsecret',
      reference,
      `a gcpsecret: reference is projects/PROJECT/secrets/SECRET[/versions/VERSION], not "${reference}"`,
    );
  }
  const name = match[3] === undefined ? `${reference}/versions/latest` : reference;
  const url = `${(options.endpoint ?? GCP_ENDPOINT).replace(/\/+$/, '')}/v1/${name}:access`;
  let body: { payload?: { data?: unknown } } | null;
  try {
    const auth = options.authClient ?? (await defaultGcpAuth());
    const headers = new Headers(await auth.getRequestHeaders(url));
    headers.set('accept', 'application/json');
    ({ json: body } = await requestJson<{ payload?: { data?: unknown } } | null>(
      url,
      { headers },
      {
        service: 'Secret Manager',
        timeoutMs: options.timeoutMs ?? 15_000,
        retry: options.retry ?? GCP_SECRET_RETRY,
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.random ? { random: options.random } : {}),
      },
    ));
  } catch (error) {
    throw gcpSecretFailure(name, error);
  }
  const data = body?.payload?.data;
  if (typeof data !== 'string') {
    throw new SecretReferenceError('gcpsecret', name, `GCP secret "${name}": the answer has no payload.data`);
  }
  return Buffer.from(data, 'base64').toString('utf8');
}

/** The answer's status in words; the error's own text for anything else (it holds no value). */
function gcpSecretFailure(name: string, error: unknown): SecretReferenceError {
  if (error instanceof HttpError && error.code === 'HTTP_STATUS') {
    const why =
      error.status === 404
        ? 'not found'
        : error.status === 403
          ? 'permission denied (secretmanager.versions.access)'
          : `HTTP ${error.status}${error.gaveUp}`;
    return new SecretReferenceError('gcpsecret', name, `GCP secret "${name}": ${why}`, { cause: error });
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new SecretReferenceError('gcpsecret', name, `could not read GCP secret "${name}" (${detail})`, {
    cause: error,
  });
}
