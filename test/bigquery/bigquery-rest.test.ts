import { createServer } from 'node:http';
import {
  BIGQUERY_SCOPE,
  type BigQueryAuthClient,
  BigQueryRequestError,
  BigQueryRest,
} from '../../shared/adapters/bigquery/bigquery-rest.js';
import { isTransient } from '../../shared/adapters/bigquery/retry.js';
import { apiError, FAKE_TOKEN, FakeBigQuery, fakeAuthClient } from '../helpers/fake-bigquery.js';
import { listenLocally } from '../helpers/local-server.js';

/**
 * Application Default Credentials, scripted: google-auth-library's GoogleAuth is replaced so the
 * tests see when it is loaded and created, and what it answers (no metadata server, no files).
 * `bundled` gives the package's exports under `default` only, as an esbuild bundle split into
 * chunks does.
 */
const mockAdc = {
  created: [] as unknown[],
  bundled: false,
  answer: async (): Promise<Headers> => new Headers({ authorization: 'Bearer adc-token' }),
};
jest.mock('google-auth-library', () => {
  class GoogleAuth {
    constructor(options: unknown) {
      mockAdc.created.push(options);
    }
    getRequestHeaders() {
      return mockAdc.answer();
    }
  }
  return {
    __esModule: true,
    get GoogleAuth() {
      return mockAdc.bundled ? undefined : GoogleAuth;
    },
    default: { GoogleAuth },
  };
});

const NO_ADC =
  'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.';

describe('BigQueryRest', () => {
  let fake: FakeBigQuery;

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    mockAdc.created.length = 0;
    mockAdc.bundled = false;
    mockAdc.answer = async () => new Headers({ authorization: 'Bearer adc-token' });
  });
  afterEach(() => fake.close());

  const caught = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (error: unknown) => error as BigQueryRequestError,
    );

  it('posts JSON under /bigquery/v2 with the auth client headers, a Headers or a plain record', async () => {
    const record: BigQueryAuthClient = { getRequestHeaders: async () => ({ Authorization: 'Bearer plain' }) };
    for (const [authClient, token] of [
      [fakeAuthClient, `Bearer ${FAKE_TOKEN}`],
      [record, 'Bearer plain'],
    ] as const) {
      const rest = new BigQueryRest({ apiEndpoint: `${fake.endpoint}/`, authClient });
      await expect(rest.post('/projects/p/queries', { query: 'SELECT 1' })).resolves.toMatchObject({
        jobComplete: true,
      });
      const request = fake.requests.at(-1)!;
      expect(request.path).toBe('/bigquery/v2/projects/p/queries');
      expect(request.body).toEqual({ query: 'SELECT 1' });
      expect(request.headers).toMatchObject({
        authorization: token,
        'content-type': 'application/json',
        accept: 'application/json',
      });
    }
  });

  it('asks the auth client for headers for the URL it calls', async () => {
    const urls: (string | undefined)[] = [];
    const rest = new BigQueryRest({
      apiEndpoint: fake.endpoint,
      authClient: {
        getRequestHeaders: async (url) => {
          urls.push(url);
          return {};
        },
      },
    });
    await rest.get('/projects/p/queries/j', { location: 'EU', pageToken: undefined });
    expect(urls).toEqual([`${fake.endpoint}/bigquery/v2/projects/p/queries/j?location=EU`]);
    expect(fake.requests[0]!.query).toEqual({ location: 'EU' });
  });

  it('defaults to the public endpoint and adds https:// to a bare host', () => {
    expect(new BigQueryRest().root).toBe('https://bigquery.googleapis.com/bigquery/v2');
    expect(new BigQueryRest({ apiEndpoint: 'bq.example.test//' }).root).toBe(
      'https://bq.example.test/bigquery/v2',
    );
  });

  it('gives an HTTP error its status, reasons and BigQuery message', async () => {
    fake.respond(
      'query',
      apiError(403, 'accessDenied', 'Access Denied: Project p: User does not have\n permission.'),
    );
    const rest = new BigQueryRest({ apiEndpoint: fake.endpoint, authClient: fakeAuthClient });
    const error = await caught(rest.post('/projects/p/queries', {}));
    expect(error).toBeInstanceOf(BigQueryRequestError);
    expect(error.message).toBe(
      'HTTP 403 accessDenied: Access Denied: Project p: User does not have permission.',
    );
    expect({ status: error.status, reasons: error.reasons, code: error.code }).toEqual({
      status: 403,
      reasons: ['accessDenied'],
      code: null,
    });
    expect(isTransient(error)).toBe(false);
  });

  it('keeps the text of an error page that is not BigQuery JSON', async () => {
    fake.respond('query', { status: 502, body: '<html>Bad Gateway</html>' });
    const rest = new BigQueryRest({ apiEndpoint: fake.endpoint, authClient: fakeAuthClient });
    const error = await caught(rest.post('/projects/p/queries', {}));
    expect(error.message).toBe('HTTP 502 <html>Bad Gateway</html>');
    expect(isTransient(error)).toBe(true);
  });

  it('reports a dropped connection and a refused one as transient, with their codes', async () => {
    fake.respond('query', { drop: true });
    const rest = new BigQueryRest({ apiEndpoint: fake.endpoint, authClient: fakeAuthClient });
    const dropped = await caught(rest.post('/projects/p/queries', {}));
    expect(dropped).toMatchObject({ status: null, code: 'ECONNRESET' });
    expect(dropped.message).toMatch(/^ECONNRESET socket hang up/);
    expect(isTransient(dropped)).toBe(true);

    const closed = await listenLocally(createServer());
    await closed.close();
    const refused = await caught(
      new BigQueryRest({ apiEndpoint: closed.url, authClient: fakeAuthClient }).get('/projects/p/queries/j'),
    );
    expect(refused).toMatchObject({ status: null, code: 'ECONNREFUSED' });
    expect(isTransient(refused)).toBe(true);
  });

  it('abandons a request that gets no answer in time, as a transient failure', async () => {
    const silent = await listenLocally(createServer(() => {}));
    try {
      const rest = new BigQueryRest({ apiEndpoint: silent.url, authClient: fakeAuthClient, timeoutMs: 100 });
      const timedOut = await caught(rest.post('/projects/p/queries', {}));
      expect(timedOut).toMatchObject({ status: null, code: 'ETIMEDOUT' });
      expect(isTransient(timedOut)).toBe(true);
    } finally {
      await silent.close();
    }
  });

  describe('without an auth client', () => {
    it('loads google-auth-library on the first request, not before, and creates one GoogleAuth for BigQuery', async () => {
      const rest = new BigQueryRest({ apiEndpoint: fake.endpoint, projectId: 'p' });
      expect(mockAdc.created).toEqual([]);
      await rest.post('/projects/p/queries', {});
      await rest.get('/projects/p/queries/j');
      expect(mockAdc.created).toEqual([{ scopes: [BIGQUERY_SCOPE], projectId: 'p' }]);
      expect(fake.requests.map((request) => request.headers.authorization)).toEqual([
        'Bearer adc-token',
        'Bearer adc-token',
      ]);
    });

    it('finds GoogleAuth also when the bundle gives the package its exports under default only', async () => {
      mockAdc.bundled = true;
      await new BigQueryRest({ apiEndpoint: fake.endpoint }).post('/projects/p/queries', {});
      expect(mockAdc.created).toEqual([{ scopes: [BIGQUERY_SCOPE] }]);
      expect(fake.requests[0]!.headers.authorization).toBe('Bearer adc-token');
    });

    it('calls a stand-in without a token when no credentials are found, as the client library did', async () => {
      let asked = 0;
      mockAdc.answer = async () => {
        asked += 1;
        throw new Error(NO_ADC);
      };
      const rest = new BigQueryRest({ apiEndpoint: fake.endpoint });
      await rest.post('/projects/p/queries', {});
      await rest.post('/projects/p/queries', {});
      expect(fake.requests.map((request) => request.headers.authorization)).toEqual([undefined, undefined]);
      expect(asked).toBe(1);
    });

    it('sends nothing to the real API without credentials, and passes on any other auth failure', async () => {
      mockAdc.answer = async () => {
        throw new Error(NO_ADC);
      };
      await expect(new BigQueryRest().post('/projects/p/queries', {})).rejects.toThrow(NO_ADC);

      mockAdc.answer = async () => {
        throw new Error('invalid_grant: the subject token was refused');
      };
      await expect(
        new BigQueryRest({ apiEndpoint: fake.endpoint }).post('/projects/p/queries', {}),
      ).rejects.toThrow('invalid_grant');
      expect(fake.requests).toEqual([]);
    });
  });
});
