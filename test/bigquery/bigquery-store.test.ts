import { createHash } from 'node:crypto';
import {
  type BigQueryStoreOptions,
  openBigQueryStore,
} from '../../shared/adapters/bigquery/bigquery-store.js';
import { INSERT_ALL_LIMITS } from '../../shared/adapters/bigquery/insert-batches.js';
import { quarantineRow } from '../../shared/adapters/store/quarantine-row.js';
import { WHO_ACCESSED } from '../../shared/core/queries/named-queries.js';
import { COLUMN_NAMES } from '../../shared/core/schema/columns.js';
import type { Row } from '../../shared/core/schema/row.js';
import { epochMicros } from '../../shared/core/time/timestamp.js';
import type { Rejection } from '../../shared/pipeline/ports.js';
import {
  apiError,
  FAKE_TOKEN,
  FakeBigQuery,
  fakeAuthClient,
  queryResponse,
} from '../helpers/fake-bigquery.js';

// The real client over real HTTP, loaded outside jest's sandbox (see requireOutsideJest).
jest.mock('@google-cloud/bigquery', () =>
  require('../helpers/fake-bigquery.js').requireOutsideJest('@google-cloud/bigquery'),
);

function eventRow(id: number, overrides: Partial<Row> = {}): Row {
  return {
    event_id: `evt-${id}`,
    event_time: '2026-11-20T10:05:00.123456Z',
    cloud: 'aws',
    source: 's3.amazonaws.com',
    action: 'GetObject',
    category: 'data_access',
    outcome: 'success',
    error_code: null,
    error_message: null,
    principal: 'arn:aws:iam::111122223333:role/ci',
    subject: 'repo:acme/app:ref:refs/heads/main',
    issuer: null,
    identity_provider: null,
    audience: null,
    resource: `s3://audit-bucket/key-${id}`,
    bucket: 'audit-bucket',
    object: `key-${id}`,
    credential_id: 'ASIAEXAMPLE',
    credential_expiration: null,
    session_name: null,
    caller: null,
    source_ip: '203.0.113.7',
    user_agent: 'aws-cli/2',
    account: '111122223333',
    region: 'us-east-1',
    raw: { eventID: `evt-${id}`, eventName: 'GetObject', requestParameters: { key: `key-${id}` } },
    binding_deltas: null,
    trust: null,
    minted_identity: null,
    ...overrides,
  };
}

const rejection: Rejection = {
  input: 'trail.json.gz',
  code: 'invalid_json',
  message: 'not JSON',
  raw: '{"Records": [',
  delivery: 'cloudtrail-file',
  position: { value: 0, path: '', offset: 0 },
};

describe('BigQueryStore against a fake BigQuery REST API', () => {
  let fake: FakeBigQuery;
  let sleeps: number[];

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
    sleeps = [];
  });
  afterEach(() => fake.close());

  const open = (overrides: Partial<BigQueryStoreOptions> = {}) =>
    openBigQueryStore({
      projectId: 'my-project',
      dataset: 'tokentrail',
      apiEndpoint: fake.endpoint,
      authClient: fakeAuthClient,
      // The client's waits between retries, capped at 1 ms; `sleep` paces re-sends of stopped rows.
      retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...overrides,
    });

  it('names itself and asks for 500-row batches', () => {
    const store = open();
    expect(store.description).toBe('bigquery://my-project/tokentrail');
    expect(store.preferredBatchRows).toBe(500);
  });

  describe('writeRows', () => {
    it('streams rows with insertAll: insertId = event_id, at most 500 rows a request, invalid rows not skipped', async () => {
      const rows = Array.from({ length: 1201 }, (_, i) => eventRow(i));
      await expect(open().writeRows(rows)).resolves.toEqual({ written: 1201, duplicates: 0, refused: [] });

      const requests = fake.requestsTo('insertAll');
      expect(requests.map((r) => r.path)).toEqual(
        Array(3).fill('/bigquery/v2/projects/my-project/datasets/tokentrail/tables/events/insertAll'),
      );
      expect(requests.map((r) => r.body.rows.length)).toEqual([500, 500, 201]);
      expect(requests.flatMap((r) => r.body.rows.map((row: { insertId: string }) => row.insertId))).toEqual(
        rows.map((row) => row.event_id),
      );
      for (const request of requests) {
        expect(Object.keys(request.body).sort()).toEqual(['ignoreUnknownValues', 'rows', 'skipInvalidRows']);
        expect(request.body.skipInvalidRows).toBe(false);
        expect(request.body.ignoreUnknownValues).toBe(false);
      }
      expect(fake.requests).toHaveLength(3);
      expect(requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill(`Bearer ${FAKE_TOKEN}`));
      expect(sleeps).toEqual([]);
    });

    it('sends every column, timestamps as canonical text and the JSON column as a string of JSON text', async () => {
      const row = eventRow(1);
      await open().writeRows([row]);
      const [sent] = fake.requestsTo('insertAll')[0]!.body.rows;
      expect(sent.insertId).toBe('evt-1');
      expect(Object.keys(sent.json)).toEqual(COLUMN_NAMES);
      expect(sent.json.event_time).toBe('2026-11-20T10:05:00.123456Z');
      expect(sent.json.error_code).toBeNull();
      expect(typeof sent.json.raw).toBe('string');
      expect(JSON.parse(sent.json.raw)).toEqual(row.raw);
      expect(fake.stored('events')).toHaveLength(1);
    });

    it('keeps each request within the byte budget and refuses a row too big for any request without sending it', async () => {
      const mb = 1024 * 1024;
      const big = (id: number, size: number) => eventRow(id, { raw: { blob: 'x'.repeat(size) } });
      const rows = [big(0, 2 * mb), big(1, 2 * mb), big(2, 2 * mb), big(3, 6 * mb), eventRow(4)];
      const result = await open().writeRows(rows);

      expect(result.written).toBe(4);
      expect(result.refused).toEqual([
        { row: rows[3], reason: expect.stringMatching(/over the \d+-byte limit/) },
      ]);
      const requests = fake.requestsTo('insertAll');
      expect(requests.map((r) => r.body.rows.map((row: { insertId: string }) => row.insertId))).toEqual([
        ['evt-0', 'evt-1'],
        ['evt-2', 'evt-4'],
      ]);
      for (const request of requests)
        expect(request.bodyBytes).toBeLessThan(INSERT_ALL_LIMITS.maxRequestBytes + 1024);
    });

    it('refuses an invalid row and re-sends the rows BigQuery stopped because of it', async () => {
      const rows = [eventRow(0), eventRow(1), eventRow(2)];
      fake.respond('insertAll', {
        status: 200,
        body: {
          insertErrors: [
            { index: 0, errors: [{ reason: 'stopped', message: '' }] },
            {
              index: 1,
              errors: [{ reason: 'invalid', location: 'raw', message: 'Invalid JSON value at raw.' }],
            },
            { index: 2, errors: [{ reason: 'stopped', message: '' }] },
          ],
        },
      });
      const result = await open().writeRows(rows);

      expect(result).toEqual({
        written: 2,
        duplicates: 0,
        refused: [{ row: rows[1], reason: 'invalid: Invalid JSON value at raw.' }],
      });
      const requests = fake.requestsTo('insertAll');
      expect(requests.map((r) => r.body.rows.map((row: { insertId: string }) => row.insertId))).toEqual([
        ['evt-0', 'evt-1', 'evt-2'],
        ['evt-0', 'evt-2'],
      ]);
      expect(requests[1]!.body.skipInvalidRows).toBe(false);
      expect(sleeps).toEqual([]);
    });

    it('refuses a row the fake finds invalid (a bad timestamp) and stores the one it stopped', async () => {
      const bad = eventRow(1, { event_time: 'yesterday' });
      const result = await open().writeRows([eventRow(0), bad]);
      expect(result).toEqual({
        written: 1,
        duplicates: 0,
        refused: [{ row: bad, reason: 'invalid: Cannot convert value to a timestamp: event_time.' }],
      });
      expect(fake.requestsTo('insertAll').map((r) => r.body.rows.length)).toEqual([2, 1]);
      expect(fake.stored('events').map((row) => row.event_id)).toEqual(['evt-0']);
    });

    it('retries rows that failed with backendError, backing off, and counts the ones that went in', async () => {
      const rows = [eventRow(0), eventRow(1), eventRow(2)];
      fake.respond('insertAll', {
        status: 200,
        body: { insertErrors: [{ index: 2, errors: [{ reason: 'backendError', message: 'try again' }] }] },
      });
      await expect(open().writeRows(rows)).resolves.toEqual({ written: 3, duplicates: 0, refused: [] });
      expect(fake.requestsTo('insertAll').map((r) => r.body.rows.length)).toEqual([3, 1]);
      expect(fake.requestsTo('insertAll')[1]!.body.rows[0].insertId).toBe('evt-2');
      expect(sleeps).toHaveLength(1);
    });

    it('retries HTTP 429 and 503 through the client, sending the same request again', async () => {
      fake.respond(
        'insertAll',
        apiError(429, 'rateLimitExceeded', 'slow down'),
        apiError(503, 'backendError', 'down'),
      );
      await expect(open().writeRows([eventRow(0), eventRow(1)])).resolves.toMatchObject({ written: 2 });

      const requests = fake.requestsTo('insertAll');
      expect(requests).toHaveLength(3);
      expect(requests[1]!.body).toEqual(requests[0]!.body);
      expect(requests[2]!.body).toEqual(requests[0]!.body);
    });

    it('retries a 403 whose reason is transient (rateLimitExceeded), as BigQuery sends quota errors', async () => {
      fake.respond('insertAll', apiError(403, 'rateLimitExceeded', 'Exceeded rate limits'));
      await expect(open().writeRows([eventRow(0)])).resolves.toMatchObject({ written: 1 });
      expect(fake.requestsTo('insertAll')).toHaveLength(2);
    });

    it('retries a dropped connection', async () => {
      fake.respond('insertAll', { drop: true });
      await expect(open().writeRows([eventRow(0)])).resolves.toMatchObject({ written: 1 });
      expect(fake.requestsTo('insertAll')).toHaveLength(2);
    });

    it('rejects, naming the store and the status, once the attempts are used up (never drops the batch)', async () => {
      fake.respond('insertAll', ...Array(3).fill(apiError(503, 'backendError', 'Service unavailable')));
      await expect(open().writeRows([eventRow(0)])).rejects.toThrow(
        /^bigquery:\/\/my-project\/tokentrail: insertAll into events failed after 3 attempt\(s\), 1 row\(s\) not written: HTTP 503 backendError: Service unavailable$/,
      );
      expect(fake.requestsTo('insertAll')).toHaveLength(3);
    });

    it('rejects when stopped rows keep failing with no row to blame', async () => {
      const stopped = {
        status: 200,
        body: { insertErrors: [{ index: 0, errors: [{ reason: 'timeout' }] }] },
      };
      fake.respond('insertAll', stopped, stopped, stopped);
      await expect(open().writeRows([eventRow(0)])).rejects.toThrow(
        /after 3 attempt\(s\).*insertErrors \(timeout\)/,
      );
    });

    it('does not retry a client error', async () => {
      fake.respond(
        'insertAll',
        apiError(403, 'accessDenied', 'Access Denied: Table my-project:tokentrail.events'),
      );
      await expect(open().writeRows([eventRow(0)])).rejects.toThrow(
        'bigquery://my-project/tokentrail: insertAll into events failed: HTTP 403 accessDenied: Access Denied: Table my-project:tokentrail.events',
      );
      expect(fake.requestsTo('insertAll')).toHaveLength(1);
    });

    it('sends nothing for no rows', async () => {
      await expect(open().writeRows([])).resolves.toEqual({ written: 0, duplicates: 0, refused: [] });
      expect(fake.requests).toEqual([]);
    });
  });

  describe('writeQuarantine', () => {
    it('inserts the quarantine rows with insertId = quarantine_id and position as JSON text', async () => {
      await open().writeQuarantine([rejection], '2026-11-20T10:06:00.000000Z');
      const expected = quarantineRow(rejection, '2026-11-20T10:06:00.000000Z');
      const [request] = fake.requestsTo('insertAll');
      expect(request!.path).toBe(
        '/bigquery/v2/projects/my-project/datasets/tokentrail/tables/quarantine/insertAll',
      );
      expect(request!.body).toEqual({
        skipInvalidRows: false,
        ignoreUnknownValues: false,
        rows: [
          {
            insertId: expected.quarantine_id,
            json: { ...expected, position: JSON.stringify(expected.position) },
          },
        ],
      });
      expect(fake.stored('quarantine')).toHaveLength(1);
    });

    it('carries the length, SHA-256 and head of a huge record, which the table takes', async () => {
      const raw = `{"Records":[${'x'.repeat(200_000)}`;
      await open().writeQuarantine([{ ...rejection, raw }], '2026-11-20T10:06:00.000000Z');
      const [request] = fake.requestsTo('insertAll');
      const json = (request!.body as { rows: { json: Record<string, unknown> }[] }).rows[0]!.json;
      expect(json).toMatchObject({
        raw: raw.slice(0, 64 * 1024),
        raw_bytes: 200_012,
        raw_sha256: createHash('sha256').update(raw).digest('hex'),
        raw_truncated: true,
      });
      expect(fake.stored('quarantine')).toEqual([expect.objectContaining({ raw_bytes: 200_012 })]);
    });

    it('rejects when the quarantine table refuses a row', async () => {
      fake.respond('insertAll', {
        status: 200,
        body: { insertErrors: [{ index: 0, errors: [{ reason: 'invalid', message: 'bad code' }] }] },
      });
      await expect(open().writeQuarantine([rejection], '2026-11-20T10:06:00.000000Z')).rejects.toThrow(
        /bigquery:\/\/my-project\/tokentrail: the quarantine table refused 1 row\(s\): [0-9a-f]{64}: invalid: bad code/,
      );
    });
  });

  describe('query', () => {
    const params = {
      bucket: "^audit-bucket$') OR TRUE --",
      since: '2026-11-01T00:00:00.000000Z',
      until: '2026-12-01T00:00:00.000000Z',
      principal: 'not declared by who-accessed',
    };

    it('sends the named query with typed STRING parameters, never spliced into the text', async () => {
      await open({ location: 'EU' }).query(WHO_ACCESSED, params);
      const [request] = fake.requestsTo('query');
      expect(request!.path).toBe('/bigquery/v2/projects/my-project/queries');
      const { requestId, ...body } = request!.body;
      expect(requestId).toEqual(expect.any(String));
      expect(body).toEqual({
        query: WHO_ACCESSED.bigquery('my-project.tokentrail'),
        location: 'EU',
        useLegacySql: false,
        formatOptions: { useInt64Timestamp: true },
        parameterMode: 'named',
        queryParameters: ['bucket', 'since', 'until'].map((name) => ({
          name,
          parameterType: { type: 'STRING' },
          parameterValue: { value: params[name as keyof typeof params] },
        })),
      });
      expect(body.query).not.toContain('audit-bucket');
    });

    it('refuses to run without a declared parameter', async () => {
      await expect(open().query(WHO_ACCESSED, { bucket: 'b', since: 's' })).rejects.toThrow(
        'bigquery://my-project/tokentrail: query who-accessed needs the parameter until',
      );
      expect(fake.requests).toEqual([]);
    });

    it('converts TIMESTAMP, INT64, ARRAY<STRING> and NULL cells', async () => {
      fake.respond('query', {
        status: 200,
        body: queryResponse(
          [
            { name: 'bucket', type: 'STRING' },
            { name: 'subject', type: 'STRING' },
            { name: 'actions', type: 'STRING', mode: 'REPEATED' },
            { name: 'count', type: 'INTEGER' },
            { name: 'first_seen', type: 'TIMESTAMP' },
            { name: 'last_seen', type: 'TIMESTAMP' },
            { name: 'big', type: 'INTEGER' },
          ],
          [
            [
              'audit-bucket',
              null,
              ['GetObject', 'PutObject'],
              '42',
              epochMicros('2026-11-20T10:05:00.123456Z'),
              epochMicros('2026-11-20T10:06:00.000000Z'),
              '9007199254740993',
            ],
            ['other', 'repo:acme/app', [], '0', null, epochMicros('1999-12-31T23:59:59.999999Z'), null],
          ],
        ),
      });
      await expect(open().query(WHO_ACCESSED, params)).resolves.toEqual({
        columns: ['bucket', 'subject', 'actions', 'count', 'first_seen', 'last_seen', 'big'],
        rows: [
          {
            bucket: 'audit-bucket',
            subject: null,
            actions: ['GetObject', 'PutObject'],
            count: 42,
            first_seen: '2026-11-20T10:05:00.123456Z',
            last_seen: '2026-11-20T10:06:00.000000Z',
            big: '9007199254740993',
          },
          {
            bucket: 'other',
            subject: 'repo:acme/app',
            actions: [],
            count: 0,
            first_seen: null,
            last_seen: '1999-12-31T23:59:59.999999Z',
            big: null,
          },
        ],
      });
    });

    it('gives the columns of an empty answer', async () => {
      fake.respond('query', {
        status: 200,
        body: queryResponse([{ name: 'principal', type: 'STRING' }], [], { rows: undefined, totalRows: '0' }),
      });
      await expect(open().sql('SELECT principal FROM x WHERE FALSE')).resolves.toEqual({
        columns: ['principal'],
        rows: [],
      });
    });

    it('follows an unfinished job and its pages through getQueryResults', async () => {
      const fields = [{ name: 'n', type: 'INTEGER' }];
      fake.respond('query', {
        status: 200,
        body: {
          kind: 'bigquery#queryResponse',
          jobReference: { projectId: 'my-project', jobId: 'job_slow', location: 'US' },
          jobComplete: false,
        },
      });
      fake.respond(
        'getQueryResults',
        { status: 200, body: { jobComplete: false, jobReference: { jobId: 'job_slow' } } },
        { status: 200, body: queryResponse(fields, [['1']], { pageToken: 'page-2', totalRows: '2' }) },
        { status: 200, body: queryResponse(fields, [['2']], { totalRows: '2' }) },
      );
      await expect(open().sql('SELECT n FROM t')).resolves.toEqual({
        columns: ['n'],
        rows: [{ n: 1 }, { n: 2 }],
      });

      const follow = fake.requestsTo('getQueryResults');
      expect(follow.map((r) => r.path)).toEqual(
        Array(3).fill('/bigquery/v2/projects/my-project/queries/job_slow'),
      );
      expect(follow.map((r) => r.query.pageToken)).toEqual([undefined, undefined, 'page-2']);
      for (const request of follow) {
        expect(request.query).toMatchObject({ location: 'US', 'formatOptions.useInt64Timestamp': 'true' });
      }
    });

    it('reads the further pages of a complete answer with its page token, nothing else', async () => {
      const fields = [{ name: 'n', type: 'INTEGER' }];
      fake.respond('query', {
        status: 200,
        body: queryResponse(fields, [['1'], ['2']], {
          jobReference: { projectId: 'my-project', jobId: 'job_paged', location: 'EU' },
          pageToken: 'page-2',
          totalRows: '5',
        }),
      });
      fake.respond(
        'getQueryResults',
        { status: 200, body: queryResponse(fields, [['3'], ['4']], { pageToken: 'page-3' }) },
        { status: 200, body: queryResponse(fields, [['5']]) },
      );
      await expect(open({ location: 'EU' }).sql('SELECT n FROM t')).resolves.toEqual({
        columns: ['n'],
        rows: [1, 2, 3, 4, 5].map((n) => ({ n })),
      });
      const follow = fake.requestsTo('getQueryResults');
      expect(follow.map((r) => r.path)).toEqual(
        Array(2).fill('/bigquery/v2/projects/my-project/queries/job_paged'),
      );
      // The client adds prettyPrint=false to every request.
      expect(follow.map(({ query: { prettyPrint, ...query } }) => query)).toEqual([
        { location: 'EU', pageToken: 'page-2', 'formatOptions.useInt64Timestamp': 'true' },
        { location: 'EU', pageToken: 'page-3', 'formatOptions.useInt64Timestamp': 'true' },
      ]);
      expect(follow.map((r) => r.headers.authorization)).toEqual(Array(2).fill(`Bearer ${FAKE_TOKEN}`));
    });

    it('gives the rows a DML statement changed once its job completes', async () => {
      const store = open();
      fake.respond('query', {
        status: 200,
        body: { jobReference: { projectId: 'my-project', jobId: 'job_dml' }, jobComplete: false },
      });
      fake.respond('getQueryResults', {
        status: 200,
        body: { jobReference: { jobId: 'job_dml' }, jobComplete: true, numDmlAffectedRows: '3' },
      });
      await expect(store.updateAlert('a1', { status: 'acked' }, '2026-11-20T10:06:00.000000Z')).resolves.toBe(
        true,
      );
      expect(fake.requestsTo('getQueryResults')[0]!.query.location).toBe('US');
    });

    it('keeps one requestId across the retries of a statement, and takes a new one for the next', async () => {
      fake.respond('query', { drop: true }, apiError(503, 'backendError', 'down'));
      const store = open();
      await store.sql('UPDATE t SET a = 1 WHERE TRUE');
      await store.sql('UPDATE t SET a = 1 WHERE TRUE');
      const ids = fake.requestsTo('query').map((r) => r.body.requestId as string);
      expect(ids).toHaveLength(4);
      expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(ids.slice(0, 3)).size).toBe(1);
      expect(ids[3]).not.toBe(ids[0]);
    });

    it('retries getQueryResults on its own, without running the statement again', async () => {
      fake.respond('query', {
        status: 200,
        body: { jobReference: { projectId: 'my-project', jobId: 'job_1' }, jobComplete: false },
      });
      fake.respond('getQueryResults', { drop: true }, apiError(502, 'backendError', 'bad gateway'));
      await expect(open().sql('SELECT 1')).resolves.toEqual({ columns: [], rows: [] });
      expect(fake.requestsTo('query')).toHaveLength(1);
      expect(fake.requestsTo('getQueryResults')).toHaveLength(3);
    });

    it("names the status, the reason and BigQuery's message of a refusal", async () => {
      fake.respond(
        'query',
        apiError(
          403,
          'accessDenied',
          'Access Denied: Project my-project: User does not have bigquery.jobs.create permission in project my-project.',
        ),
      );
      await expect(open().sql('SELECT 1')).rejects.toThrow(
        'bigquery://my-project/tokentrail: jobs.query failed: HTTP 403 accessDenied: Access Denied: Project my-project: User does not have bigquery.jobs.create permission in project my-project.',
      );
      expect(fake.requestsTo('query')).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('runs the user SQL as is, with no parameters', async () => {
      await open().sql('SELECT 1');
      const [request] = fake.requestsTo('query');
      expect(request!.body.query).toBe('SELECT 1');
      expect(request!.body.location).toBe('US');
      expect(request!.body.useLegacySql).toBe(false);
      expect(request!.body).not.toHaveProperty('queryParameters');
      expect(request!.body).not.toHaveProperty('parameterMode');
    });

    it('retries 429 and 5xx, then rejects naming the store and the status', async () => {
      fake.respond(
        'query',
        apiError(429, 'rateLimitExceeded', 'slow down'),
        apiError(500, 'internalError', 'oops'),
      );
      await expect(open().sql('SELECT 1')).resolves.toEqual({ columns: [], rows: [] });
      expect(fake.requestsTo('query')).toHaveLength(3);

      fake.respond('query', ...Array(3).fill(apiError(503, 'backendError', 'unavailable')));
      await expect(open().sql('SELECT 1')).rejects.toThrow(
        'bigquery://my-project/tokentrail: jobs.query failed after 3 attempt(s): HTTP 503 backendError: unavailable',
      );
    });

    it('does not retry a bad query', async () => {
      fake.respond('query', apiError(400, 'invalidQuery', 'Syntax error: Unexpected keyword FROM at [1:8]'));
      await expect(open().sql('SELECT FROM')).rejects.toThrow(
        'bigquery://my-project/tokentrail: jobs.query failed: HTTP 400 invalidQuery: Syntax error: Unexpected keyword FROM at [1:8]',
      );
      expect(fake.requestsTo('query')).toHaveLength(1);
    });
  });

  it('closes without doing anything', async () => {
    await expect(open().close()).resolves.toBeUndefined();
    expect(fake.requests).toEqual([]);
  });
});
