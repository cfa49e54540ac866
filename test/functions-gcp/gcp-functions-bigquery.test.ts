import { eventarcId } from '../helpers/envelopes.js';
import { apiError, FakeBigQuery } from '../helpers/fake-bigquery.js';
import { type BuiltSource, buildSource, type RunningFunction, startFunction } from './function-server.js';
import {
  auditLogWritten,
  binary,
  exchangeTokenEntry,
  messagePublished,
  sinkMessage,
  structured,
} from './gcp-events.js';

/**
 * The built functions as deployed, storing in BigQuery: the real client inside the bundle talks to
 * a local stand-in for the BigQuery API, so the requests it sends and the status each outcome maps
 * to are the ones the cloud would see.
 */

const EVENTS_INSERT = '/bigquery/v2/projects/test-project/datasets/tokentrail/tables/events/insertAll';
const QUARANTINE_INSERT =
  '/bigquery/v2/projects/test-project/datasets/tokentrail/tables/quarantine/insertAll';

let built: BuiltSource;
let fake: FakeBigQuery;
let server: RunningFunction;

beforeAll(async () => {
  [built, fake] = await Promise.all([buildSource(), FakeBigQuery.start()]);
});

afterAll(async () => {
  await fake?.close();
  await built?.remove();
});

async function start(target: 'ingestPubSub' | 'ingestAuditLog'): Promise<RunningFunction> {
  server = await startFunction({
    source: built.source,
    target,
    signatureType: 'cloudevent',
    env: {
      TOKENTRAIL_STORE: 'bigquery://test-project/tokentrail',
      TOKENTRAIL_BIGQUERY_ENDPOINT: fake.endpoint,
    },
  });
  return server;
}

afterEach(async () => {
  await server?.stop();
  fake.requests.length = 0;
});

const entry = exchangeTokenEntry(
  'sts-bq-01',
  'repo:example-org/api:ref:refs/heads/main',
  '2025-05-06T07:08:08.500000Z',
);

it('streams the row to the events table with insertId = event_id, and quarantines a bad message', async () => {
  await start('ingestPubSub');
  const stored = await server.send(binary(sinkMessage('8001', entry)));
  const malformed = await server.send(
    structured(messagePublished('8002', 'bm90IGpzb24=', '2025-05-06T07:09:00Z')),
  );
  expect([stored.status, malformed.status]).toEqual([204, 204]);

  const [insert] = fake.requestsTo('insertAll').filter((request) => request.path === EVENTS_INSERT);
  expect(insert!.body.rows).toEqual([
    {
      insertId: eventarcId(entry),
      json: expect.objectContaining({ event_id: eventarcId(entry), cloud: 'gcp' }),
    },
  ]);
  const [quarantine] = fake.requestsTo('insertAll').filter((request) => request.path === QUARANTINE_INSERT);
  expect(quarantine!.body.rows).toEqual([
    {
      insertId: expect.any(String),
      json: expect.objectContaining({
        input: 'pubsub:8002',
        code: 'invalid_json',
        raw: expect.stringContaining('bm90IGpzb24='),
      }),
    },
  ]);
});

it('rides out a passing 503 inside the store (2xx, the row sent again)', async () => {
  await start('ingestAuditLog');
  fake.respond('insertAll', apiError(503, 'backendError', 'Visibility check was unavailable. Please retry.'));
  const answer = await server.send(structured(auditLogWritten(entry)));
  expect(answer.status).toBe(204);
  const inserts = fake.requestsTo('insertAll');
  expect(inserts.map((request) => request.path)).toEqual([EVENTS_INSERT, EVENTS_INSERT]);
  expect(inserts[1]!.body).toEqual(inserts[0]!.body);
});

it('answers 500 when BigQuery refuses the write, so Eventarc / Pub/Sub retry (then dead-letter)', async () => {
  await start('ingestPubSub');
  fake.respond(
    'insertAll',
    apiError(
      403,
      'accessDenied',
      'Access Denied: Table test-project:tokentrail.events: Permission bigquery.tables.updateData denied',
    ),
  );
  const answer = await server.send(structured(sinkMessage('8003', entry)));
  expect(answer.status).toBe(500);
  expect(fake.requestsTo('insertAll')).toHaveLength(1); // a refusal is not retried inside the function
  expect(server.logLines()).toEqual([
    expect.objectContaining({
      severity: 'ERROR',
      input: 'pubsub:8003',
      message: expect.stringMatching(
        /^pubsub:8003 was not stored and will be delivered again: .*Permission bigquery\.tables\.updateData denied/,
      ),
    }),
  ]);
});
