import { alertStatements } from '../../shared/adapters/bigquery/bigquery-alert-book.js';
import { openBigQueryStore } from '../../shared/adapters/bigquery/bigquery-store.js';
import type { Alert } from '../../shared/core/alerts/alert.js';
import { ALERT_COLUMNS } from '../../shared/core/schema/alert-columns.js';
import type { AlertRow } from '../../shared/core/schema/row.js';
import { epochMicros } from '../../shared/core/time/timestamp.js';
import { parametersOf, parseBigQuery } from '../helpers/bigquery-sql.js';
import { FakeBigQuery, type FakeField, fakeAuthClient, queryResponse } from '../helpers/fake-bigquery.js';

// The real client over real HTTP, loaded outside jest's sandbox (see requireOutsideJest).
jest.mock('@google-cloud/bigquery', () =>
  require('../helpers/fake-bigquery.js').requireOutsideJest('@google-cloud/bigquery'),
);

const DATASET = 'my-project.tokentrail';
const AT = '2026-11-21T08:00:00.000000Z';
const LATER = '2026-11-21T09:30:00.000000Z';
const SQL = alertStatements(DATASET);

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    alert_id: 'a'.repeat(64),
    rule: 'unexpected-subject',
    severity: 'high',
    title: 'Token exchange from an unexpected subject',
    principal: 'arn:aws:iam::111122223333:role/ci',
    subject: 'repo:evil/fork:ref:refs/heads/<!channel>',
    identity_provider: null,
    audience: null,
    resource: null,
    source_ip: '203.0.113.7',
    count: 2,
    first_seen: '2026-11-20T10:05:00.123456Z',
    last_seen: '2026-11-20T10:06:00.000000Z',
    event_ids: ['evt-1', 'evt-2'],
    runbook: "Check the subject's repository.",
    query: "tokentrail query principals --subject 'repo:evil/fork'",
    ...overrides,
  };
}

function stored(overrides: Partial<AlertRow> = {}): AlertRow {
  return {
    ...alert(),
    event_ids: ['evt-1', 'evt-2'],
    status: 'delivered',
    delivered_count: 2,
    last_error: null,
    updated_at: '2026-11-20T11:00:00.000000Z',
    deliveries: null,
    ...overrides,
  };
}

const FIELD_TYPES = { string: 'STRING', integer: 'INTEGER', timestamp: 'TIMESTAMP', json: 'JSON' } as const;
const ALERT_FIELDS: FakeField[] = ALERT_COLUMNS.map((column) => ({
  name: column.name,
  type: FIELD_TYPES[column.type],
}));

/** AlertRows as a jobs.query answer in the wire format (INT64 as text, TIMESTAMP as epoch microseconds, JSON as text). */
function alertsAnswer(rows: readonly AlertRow[]) {
  const record = (row: AlertRow) => row as unknown as Record<string, unknown>;
  return {
    status: 200,
    body: queryResponse(
      ALERT_FIELDS,
      rows.map((row) =>
        ALERT_COLUMNS.map((column) => {
          const value = record(row)[column.name];
          if (value === null || value === undefined) return null;
          if (column.type === 'timestamp') return epochMicros(value as string);
          if (column.type === 'json') return JSON.stringify(value);
          return String(value);
        }),
      ),
      rows.length === 0 ? { rows: undefined, totalRows: '0' } : {},
    ),
  };
}

const dmlAnswer = (affected: number) => ({
  status: 200,
  body: {
    kind: 'bigquery#queryResponse',
    jobReference: { projectId: 'my-project', jobId: 'job_dml', location: 'US' },
    jobComplete: true,
    numDmlAffectedRows: String(affected),
  },
});

describe('BigQueryStore as the alert book, against a fake BigQuery REST API', () => {
  let fake: FakeBigQuery;

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
  });
  afterEach(async () => {
    // The alerts table is written with DML only: rows from insertAll could not be updated for a while.
    expect(fake.requestsTo('insertAll')).toEqual([]);
    await fake.close();
  });

  const open = () =>
    openBigQueryStore({
      projectId: 'my-project',
      dataset: 'tokentrail',
      apiEndpoint: fake.endpoint,
      authClient: fakeAuthClient,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });

  /**
   * The statements sent, each with its STRING parameters; every one must parse as BigQuery and use
   * exactly the parameters sent with it.
   */
  function sent(): { query: string; params: Record<string, string> }[] {
    return fake.requestsTo('query').map(({ body }) => {
      const params: Record<string, string> = {};
      for (const parameter of body.queryParameters ?? []) {
        expect(parameter.parameterType).toEqual({ type: 'STRING' });
        params[parameter.name] = parameter.parameterValue.value;
      }
      const tree = parseBigQuery(body.query);
      expect(tree.statements).toHaveLength(1);
      expect([...parametersOf(tree)].sort()).toEqual(Object.keys(params).sort());
      return { query: body.query, params };
    });
  }

  it('is an AlertBook, so detect keeps and delivers alerts with it', () => {
    expect(typeof open().recordAlerts).toBe('function');
  });

  describe('recordAlerts', () => {
    it('reads the stored rows for the ids, MERGEs each new alert as one JSON @row, then reads what to deliver', async () => {
      const first = alert();
      const second = alert({ alert_id: 'b'.repeat(64), subject: null, principal: null, count: 1 });
      const pending = [first, second].map((a) =>
        stored({ ...a, status: 'pending', delivered_count: 0, updated_at: AT }),
      );
      fake.respond('query', alertsAnswer([]), dmlAnswer(1), dmlAnswer(1), alertsAnswer(pending));

      await expect(open().recordAlerts([first, second], AT)).resolves.toEqual(pending);

      const statements = sent();
      expect(statements.map(({ query }) => query)).toEqual([
        SQL.byIds,
        SQL.merge,
        SQL.merge,
        SQL.toDeliver(),
      ]);
      expect(statements[0]!.params).toEqual({ ids: JSON.stringify([first.alert_id, second.alert_id]) });
      expect(statements[3]!.params).toEqual({});
      const rows = statements.slice(1, 3).map(({ params }) => JSON.parse(params.row!));
      expect(rows).toEqual(pending);
      // Every column, in table order, with nulls as JSON null (not left out).
      expect(Object.keys(rows[1])).toEqual(ALERT_COLUMNS.map((column) => column.name));
      expect(statements[2]!.params.row).toContain('"principal":null,"subject":null,');
      expect(statements[1]!.params.row).toContain('"event_ids":["evt-1","evt-2"]');
    });

    it('writes nothing for a replay that adds no events', async () => {
      const row = stored();
      fake.respond('query', alertsAnswer([row]), alertsAnswer([]));

      await expect(open().recordAlerts([alert()], LATER)).resolves.toEqual([]);

      expect(sent().map(({ query }) => query)).toEqual([SQL.byIds, SQL.toDeliver()]);
    });

    it('MERGEs a grown incident back to pending, keeping first_seen and the delivered count', async () => {
      const grown = alert({
        count: 3,
        first_seen: '2026-11-20T10:05:30.000000Z',
        last_seen: '2026-11-20T12:00:00.000000Z',
        event_ids: ['evt-1', 'evt-2', 'evt-3'],
      });
      fake.respond('query', alertsAnswer([stored()]), dmlAnswer(1), alertsAnswer([]));

      await open().recordAlerts([grown], LATER);

      const statements = sent();
      expect(statements.map(({ query }) => query)).toEqual([SQL.byIds, SQL.merge, SQL.toDeliver()]);
      expect(JSON.parse(statements[1]!.params.row!)).toEqual({
        ...stored(),
        count: 3,
        last_seen: '2026-11-20T12:00:00.000000Z',
        event_ids: ['evt-1', 'evt-2', 'evt-3'],
        status: 'pending',
        delivered_count: 2,
        updated_at: LATER,
      });
    });

    it('keeps an acknowledged incident acknowledged when it grows', async () => {
      fake.respond('query', alertsAnswer([stored({ status: 'acked' })]), dmlAnswer(1), alertsAnswer([]));

      await open().recordAlerts([alert({ count: 3, event_ids: ['evt-1', 'evt-2', 'evt-9'] })], LATER);

      const merged = JSON.parse(sent()[1]!.params.row!);
      expect(merged).toMatchObject({ status: 'acked', count: 3, updated_at: LATER });
    });

    it('with no alerts only reads what to deliver', async () => {
      fake.respond('query', alertsAnswer([]));
      await open().recordAlerts([], AT);
      expect(sent().map(({ query }) => query)).toEqual([SQL.toDeliver()]);
    });
  });

  describe('updateAlert', () => {
    it('records a delivery with one UPDATE of the columns that change, from one JSON @change', async () => {
      fake.respond('query', dmlAnswer(1));
      const id = 'a'.repeat(64);

      await expect(
        open().updateAlert(id, { status: 'delivered', delivered_count: 3, last_error: null }, LATER),
      ).resolves.toBe(true);

      const [statement, ...rest] = sent();
      expect(rest).toEqual([]);
      expect(statement!.query).toBe(SQL.update(['status', 'delivered_count', 'last_error', 'updated_at']));
      expect(statement!.query).toBe(`UPDATE \`my-project.tokentrail.alerts\`
SET
  status = JSON_VALUE(PARSE_JSON(@change), '$.status'),
  delivered_count = CAST(JSON_VALUE(PARSE_JSON(@change), '$.delivered_count') AS INT64),
  last_error = JSON_VALUE(PARSE_JSON(@change), '$.last_error'),
  updated_at = TIMESTAMP(JSON_VALUE(PARSE_JSON(@change), '$.updated_at'))
WHERE alert_id = @alert_id`);
      expect(statement!.params).toEqual({
        alert_id: id,
        change: JSON.stringify({
          status: 'delivered',
          delivered_count: 3,
          last_error: null,
          updated_at: LATER,
        }),
      });
    });

    it('leaves the columns a change does not name alone (a failure keeps delivered_count)', async () => {
      fake.respond('query', dmlAnswer(1), dmlAnswer(1));
      const store = open();

      await store.updateAlert('x', { status: 'failed', last_error: 'slack: HTTP 500' }, LATER);
      await store.updateAlert('x', { status: 'acked' }, LATER);

      const [failed, acked] = sent();
      expect(failed!.query).toBe(SQL.update(['status', 'last_error', 'updated_at']));
      expect(failed!.query).not.toContain('delivered_count');
      expect(JSON.parse(failed!.params.change!)).toEqual({
        status: 'failed',
        last_error: 'slack: HTTP 500',
        updated_at: LATER,
      });
      expect(acked!.query).toBe(SQL.update(['status', 'updated_at']));
      expect(acked!.query).not.toMatch(/last_error|delivered_count/);
    });

    it('resolves false when the UPDATE matched no row', async () => {
      fake.respond('query', dmlAnswer(0));
      await expect(open().updateAlert('nope', { status: 'acked' }, LATER)).resolves.toBe(false);
      expect(sent()).toHaveLength(1);
    });

    it('looks the id up when the answer does not say how many rows changed', async () => {
      // The fake's default answer carries no numDmlAffectedRows and no rows.
      await expect(open().updateAlert('nope', { status: 'acked' }, LATER)).resolves.toBe(false);
      fake.respond(
        'query',
        { status: 200, body: { jobComplete: true, jobReference: { jobId: 'j' } } },
        {
          status: 200,
          body: queryResponse([{ name: 'alert_id', type: 'STRING' }], [['present']]),
        },
      );
      await expect(open().updateAlert('present', { status: 'acked' }, LATER)).resolves.toBe(true);

      const statements = sent();
      expect(statements.map(({ query }) => query)).toEqual([
        SQL.update(['status', 'updated_at']),
        SQL.exists,
        SQL.update(['status', 'updated_at']),
        SQL.exists,
      ]);
      expect(statements[3]!.params).toEqual({ alert_id: 'present' });
    });
  });

  describe('listAlerts and alertsToDeliver', () => {
    it('converts the answer into AlertRows: event_ids an array, numbers, canonical timestamps', async () => {
      const rows = [
        stored(),
        stored({
          alert_id: 'c'.repeat(64),
          principal: null,
          subject: null,
          count: 7,
          event_ids: ['e"1', 'e\\2'],
          status: 'failed',
          delivered_count: 0,
          last_error: 'teams: timeout',
        }),
      ];
      fake.respond('query', alertsAnswer(rows));

      const listed = await open().listAlerts();

      expect(listed).toEqual(rows);
      expect(listed[1]!.event_ids).toEqual(['e"1', 'e\\2']);
      expect(typeof listed[1]!.count).toBe('number');
      expect(listed[0]!.first_seen).toBe('2026-11-20T10:05:00.123456Z');
      expect(sent()).toEqual([{ query: SQL.list(false), params: {} }]);
    });

    it('filters by status with a @status parameter', async () => {
      fake.respond('query', alertsAnswer([]));
      await expect(open().listAlerts('acked')).resolves.toEqual([]);
      expect(sent()).toEqual([{ query: SQL.list(true), params: { status: 'acked' } }]);
    });

    it('asks for pending and failed alerts to deliver', async () => {
      fake.respond('query', alertsAnswer([stored({ status: 'pending' })]));
      await expect(open().alertsToDeliver()).resolves.toEqual([stored({ status: 'pending' })]);
      expect(sent()).toEqual([{ query: SQL.toDeliver(), params: {} }]);
    });
  });

  describe('the SQL', () => {
    const updates = [
      ['status', 'updated_at'],
      ['status', 'last_error', 'updated_at'],
      ['status', 'delivered_count', 'updated_at'],
      ['status', 'delivered_count', 'last_error', 'updated_at'],
    ] as const;
    const all: [string, string, string[]][] = [
      ['list', SQL.list(false), []],
      ['list by status', SQL.list(true), ['status']],
      ['to deliver', SQL.toDeliver(), []],
      ['to deliver with unconfirmed', SQL.toDeliver(true), []],
      ['by id', SQL.byId, ['alert_id']],
      ['write deliveries', SQL.writeDeliveries, ['alert_id', 'change', 'revision']],
      ['by ids', SQL.byIds, ['ids']],
      ['merge', SQL.merge, ['row']],
      ['exists', SQL.exists, ['alert_id']],
      ...updates.map((columns): [string, string, string[]] => [
        `update ${columns.join(', ')}`,
        SQL.update(columns),
        ['alert_id', 'change'],
      ]),
    ];

    it.each(all)('%s parses as BigQuery and uses exactly its parameters', (_name, sql, params) => {
      const tree = parseBigQuery(sql);
      expect(tree.statements).toHaveLength(1);
      expect([...parametersOf(tree)].sort()).toEqual([...params].sort());
    });

    it('MERGEs from the JSON @row into every column, by alert_id', () => {
      expect(SQL.merge).toBe(`MERGE \`my-project.tokentrail.alerts\` AS T
USING (
  SELECT
    JSON_VALUE(j, '$.alert_id') AS alert_id,
    JSON_VALUE(j, '$.rule') AS rule,
    JSON_VALUE(j, '$.severity') AS severity,
    JSON_VALUE(j, '$.title') AS title,
    JSON_VALUE(j, '$.principal') AS principal,
    JSON_VALUE(j, '$.subject') AS subject,
    JSON_VALUE(j, '$.identity_provider') AS identity_provider,
    JSON_VALUE(j, '$.audience') AS audience,
    JSON_VALUE(j, '$.resource') AS resource,
    JSON_VALUE(j, '$.source_ip') AS source_ip,
    CAST(JSON_VALUE(j, '$.count') AS INT64) AS count,
    TIMESTAMP(JSON_VALUE(j, '$.first_seen')) AS first_seen,
    TIMESTAMP(JSON_VALUE(j, '$.last_seen')) AS last_seen,
    JSON_QUERY(j, '$.event_ids') AS event_ids,
    JSON_VALUE(j, '$.runbook') AS runbook,
    JSON_VALUE(j, '$.query') AS query,
    JSON_VALUE(j, '$.status') AS status,
    CAST(JSON_VALUE(j, '$.delivered_count') AS INT64) AS delivered_count,
    JSON_VALUE(j, '$.last_error') AS last_error,
    TIMESTAMP(JSON_VALUE(j, '$.updated_at')) AS updated_at,
    JSON_QUERY(j, '$.deliveries') AS deliveries
  FROM (SELECT PARSE_JSON(@row) AS j)
) AS S
ON T.alert_id = S.alert_id
WHEN MATCHED THEN UPDATE SET
  rule = S.rule,
  severity = S.severity,
  title = S.title,
  principal = S.principal,
  subject = S.subject,
  identity_provider = S.identity_provider,
  audience = S.audience,
  resource = S.resource,
  source_ip = S.source_ip,
  count = S.count,
  first_seen = S.first_seen,
  last_seen = S.last_seen,
  event_ids = S.event_ids,
  runbook = S.runbook,
  query = S.query,
  status = S.status,
  updated_at = S.updated_at
WHEN NOT MATCHED THEN INSERT (${ALERT_COLUMNS.map((c) => c.name).join(', ')})
VALUES (${ALERT_COLUMNS.map((c) => `S.${c.name}`).join(', ')})`);
    });

    it('reads the ids from one JSON array parameter', () => {
      expect(SQL.byIds).toBe(`SELECT ${ALERT_COLUMNS.map((c) => c.name).join(', ')}
FROM \`my-project.tokentrail.alerts\`
WHERE alert_id IN UNNEST(JSON_VALUE_ARRAY(@ids))
ORDER BY first_seen, alert_id`);
    });
  });
});
