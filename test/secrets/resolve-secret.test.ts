import { createServer } from 'node:http';
import {
  type ResolveSecretDeps,
  resolveSecret,
  SecretReferenceError,
} from '../../shared/adapters/secrets/resolve-secret.js';
import {
  FAKE_AWS,
  type FakeSecretServer,
  fakeGcpAuth,
  startFakeSecretServer,
} from '../helpers/fake-secret-services.js';
import { listenLocally } from '../helpers/local-server.js';

const SLACK = 'https://hooks.slack.com/services/T000/B000/very-secret-token';
const CHAT = 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k-secret&token=t-secret';
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tokentrail/teams-AbCdEf';

let server: FakeSecretServer;
let deps: ResolveSecretDeps;

beforeEach(async () => {
  server = await startFakeSecretServer({
    ssm: { '/tokentrail/slack': SLACK },
    secretsManager: { 'tokentrail/chat': CHAT, [ARN]: SLACK },
    gcp: {
      'projects/p1/secrets/slack-hook/versions/latest': SLACK,
      'projects/p1/secrets/slack-hook/versions/3': CHAT,
    },
  });
  deps = {
    env: {},
    aws: { ...FAKE_AWS, endpoint: server.url },
    gcp: { endpoint: server.url, authClient: fakeGcpAuth },
  };
});

afterEach(() => server.close());

async function failure(promise: Promise<unknown>): Promise<SecretReferenceError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SecretReferenceError);
  return error as SecretReferenceError;
}

describe('resolveSecret', () => {
  it('reads env:NAME from the environment it is given', async () => {
    await expect(resolveSecret('env:HOOK', { env: { HOOK: SLACK } })).resolves.toBe(SLACK);
    const error = await failure(resolveSecret('env:NOPE', { env: {} }));
    expect(error.message).toBe('environment variable NOPE is not set');
    expect(error.kind).toBe('env');
    expect(server.requests).toEqual([]);
  });

  it('reads ssm: with GetParameter WithDecryption over AWS JSON 1.1', async () => {
    await expect(resolveSecret('ssm:/tokentrail/slack', deps)).resolves.toBe(SLACK);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/' });
    expect(request?.headers['x-amz-target']).toBe('AmazonSSM.GetParameter');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFAKEFAKEFAKE\/\d{8}\/us-east-1\/ssm\/aws4_request,/,
    );
    expect(JSON.parse(request?.body ?? '')).toEqual({ Name: '/tokentrail/slack', WithDecryption: true });
  });

  it('says clearly that an SSM parameter does not exist', async () => {
    const error = await failure(resolveSecret('ssm:/tokentrail/missing', deps));
    expect(error.message).toBe('SSM parameter "/tokentrail/missing" not found (ParameterNotFound)');
    expect(error).toMatchObject({ kind: 'ssm', secretName: '/tokentrail/missing' });
    expect(server.requests).toHaveLength(1); // a client error: not retried
  });

  it('reads secretsmanager: SecretString by name or ARN', async () => {
    await expect(resolveSecret('secretsmanager:tokentrail/chat', deps)).resolves.toBe(CHAT);
    await expect(resolveSecret(`secretsmanager:${ARN}`, deps)).resolves.toBe(SLACK);
    expect(server.requests.map((request) => request.headers['x-amz-target'])).toEqual([
      'secretsmanager.GetSecretValue',
      'secretsmanager.GetSecretValue',
    ]);
    expect(server.requests.map((request) => JSON.parse(request.body))).toEqual([
      { SecretId: 'tokentrail/chat' },
      { SecretId: ARN },
    ]);
    expect(server.requests[0]?.headers.authorization).toMatch(/\/us-east-1\/secretsmanager\/aws4_request,/);
  });

  it('says clearly that a Secrets Manager secret does not exist', async () => {
    const error = await failure(resolveSecret('secretsmanager:tokentrail/gone', deps));
    expect(error.message).toBe(
      'Secrets Manager secret "tokentrail/gone" not found (ResourceNotFoundException)',
    );
    expect(error).toMatchObject({ kind: 'secretsmanager', secretName: 'tokentrail/gone' });
  });

  it('reads gcpsecret: with accessSecretVersion over REST, version latest unless named', async () => {
    await expect(resolveSecret('gcpsecret:projects/p1/secrets/slack-hook', deps)).resolves.toBe(SLACK);
    await expect(resolveSecret('gcpsecret:projects/p1/secrets/slack-hook/versions/3', deps)).resolves.toBe(
      CHAT,
    );
    expect(server.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /v1/projects/p1/secrets/slack-hook/versions/latest:access',
      'GET /v1/projects/p1/secrets/slack-hook/versions/3:access',
    ]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer fake-gcp-token');
  });

  it('says clearly that a GCP secret does not exist, and rejects a malformed name without a request', async () => {
    const error = await failure(resolveSecret('gcpsecret:projects/p1/secrets/gone', deps));
    expect(error.message).toBe('GCP secret "projects/p1/secrets/gone/versions/latest": not found');
    expect(error.kind).toBe('gcpsecret');
    const malformed = await failure(resolveSecret('gcpsecret:p1/gone', deps));
    expect(malformed.message).toMatch(/projects\/PROJECT\/secrets\/SECRET/);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a GCP 503 with backoff, and names the status when it persists', async () => {
    const statuses = [503, 200, 503, 503, 503];
    const seen: string[] = [];
    const flaky = await listenLocally(
      createServer((request, response) => {
        seen.push(request.url ?? '');
        const status = statuses[seen.length - 1] ?? 503;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(
          status === 200
            ? JSON.stringify({ payload: { data: Buffer.from(SLACK).toString('base64') } })
            : '{}',
        );
      }),
    );
    const sleeps: number[] = [];
    const gcp = {
      endpoint: flaky.url,
      authClient: fakeGcpAuth,
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      random: () => 0,
    };
    try {
      await expect(resolveSecret('gcpsecret:projects/p1/secrets/hook', { gcp })).resolves.toBe(SLACK);
      expect(sleeps).toEqual([125]);
      const error = await failure(resolveSecret('gcpsecret:projects/p1/secrets/hook', { gcp }));
      expect(error.message).toBe(
        'GCP secret "projects/p1/secrets/hook/versions/latest": HTTP 503 (gave up after 3 attempts)',
      );
      expect(seen).toHaveLength(5);
    } finally {
      await flaky.close();
    }
  });

  it('rejects an unknown kind without echoing the reference, and an empty value', async () => {
    const error = await failure(resolveSecret('vault:kv/slack-super-secret', deps));
    expect(error.message).toMatch(/^a secret reference is env:…, ssm:…/);
    expect(error.message).not.toContain('slack-super-secret');
    const empty = await failure(resolveSecret('env:BLANK', { env: { BLANK: ' ' } }));
    expect(empty.message).toBe('environment variable BLANK is empty');
  });

  it('loads no cloud SDK for an env: reference', async () => {
    const loaded: string[] = [];
    for (const id of ['@aws-sdk/client-ssm', '@aws-sdk/client-secrets-manager', 'google-auth-library']) {
      jest.doMock(id, () => {
        loaded.push(id);
        return {};
      });
    }
    await jest.isolateModulesAsync(async () => {
      const isolated = await import('../../shared/adapters/secrets/resolve-secret.js');
      await expect(isolated.resolveSecret('env:HOOK', { env: { HOOK: SLACK } })).resolves.toBe(SLACK);
    });
    expect(loaded).toEqual([]);
    jest.resetModules();
  });
});
