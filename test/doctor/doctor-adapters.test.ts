import { awsFetchFailure, gcpHttpFailure } from '../../shared/adapters/doctor/fetch-failure.js';
import { GcpDoctorClient } from '../../shared/adapters/doctor/gcp-doctor-config.js';
import { HttpError } from '../../shared/adapters/http/http-client.js';
import { gcpError, startFakeGcpConfig } from '../helpers/fake-gcp-config.js';

function awsSdkError(name: string, httpStatusCode?: number): Error {
  const error = new Error(`${name} happened`);
  error.name = name;
  return Object.assign(error, httpStatusCode === undefined ? {} : { $metadata: { httpStatusCode } });
}

describe('awsFetchFailure', () => {
  it.each([
    ['AccessDeniedException', 400, 'denied'],
    ['AccessDenied', 403, 'denied'],
    ['UnauthorizedOperation', 403, 'denied'],
    ['TrailNotFoundException', 400, 'not_found'],
    ['ResourceNotFoundException', 400, 'not_found'],
    ['ThrottlingException', 400, 'error'],
    ['SomethingElse', 403, 'denied'],
    ['InternalFailure', 500, 'error'],
  ])('%s (%d) -> %s', (name, status, kind) => {
    expect(awsFetchFailure(awsSdkError(name, status))).toEqual({
      kind,
      httpStatus: status,
      code: name,
      message: `${name} happened`,
    });
  });

  it('says when there are no credentials', () => {
    expect(awsFetchFailure(awsSdkError('CredentialsProviderError'))).toEqual({
      kind: 'error',
      code: 'CredentialsProviderError',
      message: 'no AWS credentials found (CredentialsProviderError happened)',
    });
  });
});

const answered = (status: number, body: string) =>
  new HttpError({
    service: 'GCP doctor',
    where: 'https://logging.googleapis.com/v2/x',
    code: 'HTTP_STATUS',
    status,
    body,
    retryable: status >= 500,
    unconfirmed: false,
    attempts: 1,
  });

describe('gcpHttpFailure', () => {
  it.each([
    [403, 'denied'],
    [401, 'denied'],
    [404, 'not_found'],
    [429, 'error'],
    [503, 'error'],
  ])('%d -> %s, with the status and message Google sent', async (status, kind) => {
    const error = answered(status, JSON.stringify({ error: { code: status, status: 'X', message: 'why' } }));
    expect(gcpHttpFailure(error)).toEqual({ kind, httpStatus: status, code: 'X', message: 'why' });
  });

  it('copes with a body that is not JSON', async () => {
    expect(gcpHttpFailure(answered(502, '<html>bad gateway</html>'))).toEqual({
      kind: 'error',
      httpStatus: 502,
      message: 'HTTP 502: <html>bad gateway</html>',
    });
  });
});

describe('GcpDoctorClient', () => {
  it('sends the auth client headers when one is given, and percent-encodes names', async () => {
    const fake = await startFakeGcpConfig({
      projectPolicies: { 'acme-audit': { version: 3 } },
      sinks: { 'acme-audit/odd name': gcpError(403, 'PERMISSION_DENIED', 'no') },
    });
    try {
      const client = new GcpDoctorClient({
        endpoint: `${fake.url}/`,
        authClient: { getRequestHeaders: async () => new Headers({ authorization: 'Bearer test-token' }) },
      });
      expect(await client.projectIamPolicy('acme-audit')).toEqual({ ok: true, value: { version: 3 } });
      expect(await client.sink('acme-audit', 'odd name')).toEqual({
        ok: false,
        failure: { kind: 'denied', httpStatus: 403, code: 'PERMISSION_DENIED', message: 'no' },
      });
      expect(fake.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
        ['/v1/projects/acme-audit:getIamPolicy', 'Bearer test-token'],
        ['/v2/projects/acme-audit/sinks/odd%20name', 'Bearer test-token'],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('turns an auth client that cannot get a token into a failed read', async () => {
    const client = new GcpDoctorClient({
      authClient: {
        getRequestHeaders: async () => {
          throw new Error('Could not load the default credentials');
        },
      },
    });
    expect(await client.topicIamPolicy('p', 't')).toEqual({
      ok: false,
      failure: { kind: 'error', message: 'Error: Could not load the default credentials' },
    });
  });
});
