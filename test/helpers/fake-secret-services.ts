import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * Stand-ins on 127.0.0.1 for the three secret stores resolveSecret reads:
 * - AWS SSM and Secrets Manager speak AWS JSON 1.1: `POST /` with `X-Amz-Target:
 *   AmazonSSM.GetParameter` or `secretsmanager.GetSecretValue`; errors are 400 with `__type`.
 * - GCP Secret Manager: `GET /v1/projects/P/secrets/S/versions/V:access`, payload.data base64.
 * Every request is recorded; answers come from the maps given (name -> value).
 */
export interface SecretRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeSecretStores {
  /** SSM parameter name -> value. */
  readonly ssm?: Readonly<Record<string, string>>;
  /** Secrets Manager SecretId (name or ARN) -> SecretString. */
  readonly secretsManager?: Readonly<Record<string, string>>;
  /** Full version name `projects/P/secrets/S/versions/V` -> value. */
  readonly gcp?: Readonly<Record<string, string>>;
}

export interface FakeSecretServer {
  readonly url: string;
  readonly requests: readonly SecretRequest[];
  close(): Promise<void>;
}

type Answer = { readonly status: number; readonly body: unknown; readonly type: string };

const AWS_JSON = 'application/x-amz-json-1.1';

function awsError(type: string, message: string): Answer {
  return { status: 400, body: { __type: type, message }, type: AWS_JSON };
}

function answer(stores: FakeSecretStores, request: SecretRequest): Answer {
  const target = request.headers['x-amz-target'];
  if (request.method === 'POST' && request.path === '/' && target === 'AmazonSSM.GetParameter') {
    const { Name } = JSON.parse(request.body) as { Name: string };
    const value = stores.ssm?.[Name];
    if (value === undefined) return awsError('ParameterNotFound', '');
    const parameter = { Name, Type: 'SecureString', Value: value, Version: 1, DataType: 'text' };
    return { status: 200, body: { Parameter: parameter }, type: AWS_JSON };
  }
  if (request.method === 'POST' && request.path === '/' && target === 'secretsmanager.GetSecretValue') {
    const { SecretId } = JSON.parse(request.body) as { SecretId: string };
    const value = stores.secretsManager?.[SecretId];
    if (value === undefined) {
      return awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    const body = { ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SecretId}-AbCdEf` };
    return {
      status: 200,
      body: { ...body, Name: SecretId, SecretString: value, VersionId: 'v1', CreatedDate: 1.7e9 },
      type: AWS_JSON,
    };
  }
  const gcp = /^\/v1\/(projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/:]+):access$/.exec(request.path);
  if (request.method === 'GET' && gcp?.[1] !== undefined) {
    const value = stores.gcp?.[gcp[1]];
    if (value === undefined) {
      const error = {
        code: 404,
        message: `Secret [${gcp[1]}] not found or has no versions.`,
        status: 'NOT_FOUND',
      };
      return { status: 404, body: { error }, type: 'application/json' };
    }
    const payload = { data: Buffer.from(value).toString('base64'), dataCrc32c: '0' };
    return { status: 200, body: { name: gcp[1], payload }, type: 'application/json' };
  }
  return { status: 404, body: { message: 'no such route' }, type: 'application/json' };
}

export async function startFakeSecretServer(stores: FakeSecretStores): Promise<FakeSecretServer> {
  const requests: SecretRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const { status, body, type } = answer(stores, request);
      response.writeHead(status, { 'content-type': type });
      response.end(JSON.stringify(body));
    });
  });
  const local = await listenLocally(server);
  return {
    url: local.url,
    requests,
    close: local.close,
  };
}

export const FAKE_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret-key' },
} as const;

export const fakeGcpAuth = {
  getRequestHeaders: async () => new Headers({ authorization: 'Bearer fake-gcp-token' }),
};
