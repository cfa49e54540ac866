import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alertStatements } from '../../shared/adapters/bigquery/bigquery-alert-book.js';
import { WHO_ACCESSED } from '../../shared/core/queries/named-queries.js';
import { ACCESS_EVENTS } from '../../shared/core/report/access-events-query.js';
import { RAW_EVENT } from '../../shared/core/report/raw-event.js';
import { ALERT_COLUMNS } from '../../shared/core/schema/alert-columns.js';
import { parametersOf, parseBigQuery } from '../helpers/bigquery-sql.js';
import {
  FakeBigQuery,
  type FakeField,
  queryResponse,
  type RecordedRequest,
} from '../helpers/fake-bigquery.js';
import { killRunningProcesses, runProcess, startProcess } from '../helpers/run-process.js';

/**
 * The lineage page from a BigQuery store, with a local server answering for the API: `report --html`
 * sends the page's three queries (who-accessed, the access events, the alerts) at once and writes
 * the answers into the file; `ui` answers a raw-record request with RAW_EVENT. Each command runs as
 * its own process (real client, real HTTP) and is killed after a minute.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/ui/app.js')) && existsSync(resolve(root, 'dist/cli/main.js'));
const STORE = 'bigquery://test-project/tokentrail';
const DATASET = 'test-project.tokentrail';
const SINCE = '2025-11-20T00:00:00Z';
const UNTIL = '2025-11-21T00:00:00Z';

const HOSTILE = 'repo:mallory/x:ref:refs/heads/<img src=x onerror=alert(1)>';
const ROLE = 'arn:aws:iam::111122223333:role/github-deploy';
const CHAIN_ROOT = 'repo:acme/ml-platform:ref:refs/heads/main';
const CHAIN_HOP = 'arn:aws:sts::111122223333:assumed-role/ml-gcp-sync/ml-gcp-sync';
const CHAIN_PRINCIPAL = 'ml-uploader@acme-prod.iam.gserviceaccount.com';

/** 2025-11-20T10:00:00Z plus `seconds`, as the wire carries a TIMESTAMP: int64 microseconds. */
const micros = (seconds: number) => String((1_763_632_800 + seconds) * 1_000_000);

const WHO_FIELDS: FakeField[] = [
  { name: 'cloud', type: 'STRING' },
  { name: 'bucket', type: 'STRING' },
  { name: 'root_subject', type: 'STRING' },
  { name: 'subject', type: 'STRING' },
  { name: 'principal', type: 'STRING' },
  { name: 'actions', type: 'STRING', mode: 'REPEATED' },
  { name: 'count', type: 'INTEGER' },
  { name: 'failures', type: 'INTEGER' },
  { name: 'first_seen', type: 'TIMESTAMP' },
  { name: 'last_seen', type: 'TIMESTAMP' },
];
const WHO_ROWS = [
  [
    'aws',
    'acme-prod-assets',
    HOSTILE,
    HOSTILE,
    ROLE,
    ['GetObject', 'PutObject'],
    '2',
    '1',
    micros(0),
    micros(60),
  ],
  [
    'gcp',
    'acme-ml-data',
    CHAIN_ROOT,
    CHAIN_HOP,
    CHAIN_PRINCIPAL,
    ['storage.objects.create'],
    '1',
    '0',
    micros(120),
    micros(120),
  ],
];

const EVENT_FIELDS: FakeField[] = [
  { name: 'event_time', type: 'TIMESTAMP' },
  ...['bucket', 'root_subject', 'subject', 'principal', 'action', 'outcome', 'source_ip', 'event_id'].map(
    (name) => ({ name, type: 'STRING' }),
  ),
];
const EVENT_ROWS = [
  [
    micros(120),
    'acme-ml-data',
    CHAIN_ROOT,
    CHAIN_HOP,
    CHAIN_PRINCIPAL,
    'storage.objects.create',
    'success',
    '34.1.2.3',
    'gcs-1',
  ],
  [
    micros(60),
    'acme-prod-assets',
    HOSTILE,
    HOSTILE,
    ROLE,
    'PutObject',
    'failure',
    '203.0.113.9',
    'evt-<b>2</b>',
  ],
  [micros(0), 'acme-prod-assets', HOSTILE, HOSTILE, ROLE, 'GetObject', 'success', '203.0.113.9', 'evt-1'],
];

const ALERT_TYPES = { string: 'STRING', integer: 'INTEGER', timestamp: 'TIMESTAMP', json: 'JSON' } as const;
const ALERT_FIELDS: FakeField[] = ALERT_COLUMNS.map((column) => ({
  name: column.name,
  type: ALERT_TYPES[column.type],
}));
const ALERT = {
  alert_id: 'a1',
  rule: 'fork-pull-request',
  severity: 'high',
  title: `a fork's pull request assumed ${ROLE}`,
  principal: ROLE,
  subject: HOSTILE,
  identity_provider: 'token.actions.githubusercontent.com',
  audience: 'sts.amazonaws.com',
  resource: 'acme-prod-assets',
  source_ip: '203.0.113.9',
  count: '2',
  first_seen: micros(0),
  last_seen: micros(60),
  event_ids: '["evt-1","evt-<b>2</b>"]',
  runbook: 'Revoke the session; narrow the trust to refs/heads/main.',
  query: `tokentrail query chain --subject '${HOSTILE}'`,
  status: 'delivered',
  delivered_count: '2',
  last_error: null,
  updated_at: micros(300),
  deliveries:
    '{"revision":1,"channels":{"slack":{"channel":"slack","state":"delivered","count":2,"delivered_count":2,"attempts":1,"last_error":null,"delivered_at":null,"updated_at":null}}}',
} as const;
const ALERT_ROW = ALERT_COLUMNS.map((column) => ALERT[column.name]);

const RAW = { eventVersion: '1.08', eventName: 'GetObject', userIdentity: { note: '<script>x</script>' } };

const queryOf = (request: RecordedRequest) => (request.body as { query: string }).query;
const WHO_SQL = WHO_ACCESSED.bigquery(DATASET);
const EVENTS_SQL = ACCESS_EVENTS.bigquery(DATASET);
const ALERTS_SQL = alertStatements(DATASET).list(false);
const RAW_SQL = RAW_EVENT.bigquery(DATASET);

/** STRING query parameters as the client sends them. */
const stringParams = (values: Record<string, string>) =>
  Object.entries(values).map(([name, value]) => ({
    name,
    parameterType: { type: 'STRING' },
    parameterValue: { value },
  }));

/** What tokentrail asked: the statement (parsed as BigQuery, using exactly the parameters sent) and its parameters. */
function asked(request: RecordedRequest) {
  const body = request.body as {
    query: string;
    queryParameters?: { name: string }[];
    useLegacySql?: boolean;
  };
  expect(request.path).toBe('/bigquery/v2/projects/test-project/queries');
  expect(body.useLegacySql).toBe(false);
  expect(parseBigQuery(body.query).statements).toHaveLength(1);
  expect([...parametersOf(parseBigQuery(body.query))].sort()).toEqual(
    (body.queryParameters ?? []).map((parameter) => parameter.name).sort(),
  );
  return { query: body.query, parameters: body.queryParameters ?? [] };
}

const env = (endpoint: string) => ({
  ...process.env,
  TOKENTRAIL_BIGQUERY_ENDPOINT: endpoint,
  METADATA_SERVER_DETECTION: 'none',
});

let scratch: string;
let fake: FakeBigQuery;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tokentrail-report-bq-'));
});

afterAll(() => {
  killRunningProcesses();
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  fake = await FakeBigQuery.start();
});

afterEach(() => fake.close());

(built ? describe : describe.skip)('the lineage page from a BigQuery store', () => {
  it('report --html sends the three queries with parameters and writes their answers into the page', async () => {
    fake.respondWhen('query', (request) => queryOf(request) === WHO_SQL, {
      status: 200,
      body: queryResponse(WHO_FIELDS, WHO_ROWS),
    });
    fake.respondWhen('query', (request) => queryOf(request) === EVENTS_SQL, {
      status: 200,
      body: queryResponse(EVENT_FIELDS, EVENT_ROWS),
    });
    fake.respondWhen('query', (request) => queryOf(request) === ALERTS_SQL, {
      status: 200,
      body: queryResponse(ALERT_FIELDS, [ALERT_ROW]),
    });
    const file = join(scratch, 'lineage.html');
    const result = await runProcess(
      process.execPath,
      [bin, 'report', '--html', file, '--store', STORE, '--since', SINCE, '--until', UNTIL],
      { env: env(fake.endpoint), timeoutMs: 60_000 },
    );
    expect(result.stderr).toMatch(/^wrote .*lineage\.html \(\d+ KiB\): 2 paths, 3 events, 1 alerts, /);
    expect(result.code).toBe(0);

    // Three jobs.query requests, in whatever order they were sent, and nothing else.
    expect(fake.requests.map((request) => request.route)).toEqual(['query', 'query', 'query']);
    const byQuery = new Map(fake.requests.map((request) => [queryOf(request), asked(request)]));
    expect([...byQuery.keys()].sort()).toEqual([WHO_SQL, EVENTS_SQL, ALERTS_SQL].sort());
    const window = { since: '2025-11-20T00:00:00.000000Z', until: '2025-11-21T00:00:00.000000Z' };
    for (const sql of [WHO_SQL, EVENTS_SQL]) {
      expect(sql).toContain(`\`${DATASET}.events_unique\``);
      expect(byQuery.get(sql)!.parameters).toEqual(
        expect.arrayContaining(stringParams({ bucket: '^.*$', ...window })),
      );
      expect(byQuery.get(sql)!.parameters).toHaveLength(3);
    }
    expect(byQuery.get(ALERTS_SQL)!.parameters).toEqual([]);
    expect(ALERTS_SQL).toContain(`FROM \`${DATASET}.alerts\``);

    const html = readFileSync(file, 'utf8');
    // The logs' markup stays inside the JSON as escapes: no element comes of it.
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    const json = /<script type="application\/json" id="page-data">([^<]*)<\/script>/.exec(html)?.[1];
    expect(json).toBeDefined();
    const data = JSON.parse(json!);
    expect(data).toMatchObject({ window, store: STORE, eventsTruncated: false, live: false });
    expect(data.rows).toEqual([
      {
        cloud: 'aws',
        bucket: 'acme-prod-assets',
        root_subject: HOSTILE,
        subject: HOSTILE,
        principal: ROLE,
        actions: ['GetObject', 'PutObject'],
        count: 2,
        failures: 1,
        first_seen: '2025-11-20T10:00:00.000000Z',
        last_seen: '2025-11-20T10:01:00.000000Z',
      },
      {
        cloud: 'gcp',
        bucket: 'acme-ml-data',
        root_subject: CHAIN_ROOT,
        subject: CHAIN_HOP,
        principal: CHAIN_PRINCIPAL,
        actions: ['storage.objects.create'],
        count: 1,
        failures: 0,
        first_seen: '2025-11-20T10:02:00.000000Z',
        last_seen: '2025-11-20T10:02:00.000000Z',
      },
    ]);
    expect(data.events).toEqual([
      {
        row: 1,
        event_time: '2025-11-20T10:02:00.000000Z',
        action: 'storage.objects.create',
        outcome: 'success',
        source_ip: '34.1.2.3',
        event_id: 'gcs-1',
      },
      {
        row: 0,
        event_time: '2025-11-20T10:01:00.000000Z',
        action: 'PutObject',
        outcome: 'failure',
        source_ip: '203.0.113.9',
        event_id: 'evt-<b>2</b>',
      },
      {
        row: 0,
        event_time: '2025-11-20T10:00:00.000000Z',
        action: 'GetObject',
        outcome: 'success',
        source_ip: '203.0.113.9',
        event_id: 'evt-1',
      },
    ]);
    expect(data.alerts).toEqual([
      {
        alert_id: 'a1',
        rule: 'fork-pull-request',
        severity: 'high',
        title: ALERT.title,
        status: 'delivered',
        subject: HOSTILE,
        principal: ROLE,
        count: 2,
        first_seen: '2025-11-20T10:00:00.000000Z',
        last_seen: '2025-11-20T10:01:00.000000Z',
        channels: [{ channel: 'slack', state: 'delivered' }],
        event_ids: ['evt-1', 'evt-<b>2</b>'],
        runbook: ALERT.runbook,
        query: ALERT.query,
      },
    ]);
  }, 90_000);

  it('ui answers /api/events/ID/raw with the record RAW_EVENT reads, as JSON', async () => {
    fake.respondWhen('query', (request) => queryOf(request) === RAW_SQL, {
      status: 200,
      body: queryResponse([{ name: 'raw', type: 'STRING' }], [[JSON.stringify(RAW)]]),
    });
    const server = startProcess(process.execPath, [bin, 'ui', '--port', '0', '--store', STORE], {
      env: env(fake.endpoint),
      timeoutMs: 60_000,
    });
    try {
      const url = await new Promise<string>((found, reject) => {
        let seen = '';
        server.child.stdout?.on('data', (chunk: string) => {
          seen += chunk;
          const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
          if (match) found(match[1]!);
        });
        server.exited.then((run) => reject(new Error(`ui exited: ${run.stderr}`)), reject);
      });
      const eventId = "evt-1' OR '1'='1";
      const response = await fetch(`${url}api/events/${encodeURIComponent(eventId)}/raw`, {
        signal: AbortSignal.timeout(30_000),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.json()).toEqual(RAW);

      expect(fake.requests.map((request) => request.route)).toEqual(['query']);
      const { query, parameters } = asked(fake.requests[0]!);
      expect(query).toBe(RAW_SQL);
      expect(query).toContain(`FROM \`${DATASET}.events_unique\``);
      expect(parameters).toEqual(stringParams({ event_id: eventId }));
    } finally {
      server.child.kill('SIGINT');
    }
    const stopped = await server.exited;
    expect(stopped.code).toBe(0);
  }, 90_000);
});
