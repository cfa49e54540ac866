import {
  type BigQueryStoreOptions,
  openBigQueryStore,
} from '../../shared/adapters/bigquery/bigquery-store.js';
import { readOnlyBigQuery } from '../../shared/adapters/store/open-store.js';
import { apiError, FakeBigQuery, fakeAuthClient, queryResponse } from '../helpers/fake-bigquery.js';

// The real client over real HTTP, loaded outside jest's sandbox (see requireOutsideJest).
jest.mock('@google-cloud/bigquery', () =>
  require('../helpers/fake-bigquery.js').requireOutsideJest('@google-cloud/bigquery'),
);

/** A jobs.insert answer to a dry run, as BigQuery gives it: the statement's kind in the statistics. */
function dryRun(statementType: string) {
  return {
    status: 200,
    body: {
      kind: 'bigquery#job',
      jobReference: { projectId: 'my-project', location: 'US' },
      configuration: { dryRun: true, query: {} },
      status: { state: 'DONE' },
      statistics: { totalBytesProcessed: '0', query: { statementType, totalBytesProcessed: '0' } },
    },
  };
}

describe('query sql on a BigQuery store', () => {
  let fake: FakeBigQuery;

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
  });
  afterEach(() => fake.close());

  const open = (overrides: Partial<BigQueryStoreOptions> = {}) =>
    openBigQueryStore({
      projectId: 'my-project',
      dataset: 'tokentrail',
      apiEndpoint: fake.endpoint,
      authClient: fakeAuthClient,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      sleep: async () => {},
      ...overrides,
    });

  it('asks for a dry run first, then runs a SELECT', async () => {
    fake.respond('insertJob', dryRun('SELECT'));
    fake.respond('query', {
      status: 200,
      body: queryResponse([{ name: 'n', type: 'INTEGER' }], [['31']]),
    });
    const store = readOnlyBigQuery(open({ location: 'EU' }));
    await expect(store.sql('WITH e AS (SELECT 1) SELECT count(*) AS n FROM e')).resolves.toEqual({
      columns: ['n'],
      rows: [{ n: 31 }],
    });
    const [check] = fake.requestsTo('insertJob');
    expect(check!.path).toBe('/bigquery/v2/projects/my-project/jobs');
    expect(check!.body).toEqual({
      jobReference: { projectId: 'my-project', jobId: expect.any(String), location: 'EU' },
      configuration: {
        dryRun: true,
        query: { query: 'WITH e AS (SELECT 1) SELECT count(*) AS n FROM e', useLegacySql: false },
      },
    });
    expect(fake.requestsTo('query')).toHaveLength(1);
  });

  it.each([
    ['DELETE FROM `my-project.tokentrail.events` WHERE TRUE', 'DELETE', 'DELETE is a write'],
    ['TRUNCATE TABLE `my-project.tokentrail.events`', 'TRUNCATE_TABLE', 'TRUNCATE TABLE is a write'],
    [
      "EXPORT DATA OPTIONS (uri='gs://x/*.csv', format='CSV') AS SELECT 1",
      'EXPORT_DATA',
      'EXPORT DATA is a write',
    ],
    ['SELECT 1; DELETE FROM t WHERE TRUE', 'SCRIPT', 'SCRIPT is not a query'],
  ])('refuses %j (%s) without running it', async (text, statementType, why) => {
    fake.respond('insertJob', dryRun(statementType));
    await expect(readOnlyBigQuery(open()).sql(text)).rejects.toThrow(
      `query sql runs read-only queries; ${why}`,
    );
    expect(fake.requestsTo('query')).toHaveLength(0);
  });

  it('refuses a statement whose dry run does not say what kind it is', async () => {
    fake.respond('insertJob', {
      status: 200,
      body: { kind: 'bigquery#job', jobReference: { projectId: 'my-project' }, status: {}, statistics: {} },
    });
    await expect(readOnlyBigQuery(open()).sql('SELECT 1')).rejects.toThrow(
      'bigquery://my-project/tokentrail: the dry run of the statement did not name its kind (statistics.query.statementType)',
    );
    expect(fake.requestsTo('query')).toHaveLength(0);
  });

  it("gives BigQuery's reason when the dry run finds the SQL invalid", async () => {
    fake.respond(
      'insertJob',
      apiError(400, 'invalidQuery', 'Syntax error: Unexpected keyword FROM at [1:8]'),
    );
    await expect(readOnlyBigQuery(open()).sql('SELECT FROM')).rejects.toThrow(
      'HTTP 400 invalidQuery: Syntax error: Unexpected keyword FROM at [1:8]',
    );
    expect(fake.requestsTo('query')).toHaveLength(0);
  });

  it('reads a page of 200,000 rows (spreading them into push overflowed the call stack)', async () => {
    const rows = Array.from({ length: 200_000 }, (_, index) => [String(index)]);
    fake.respond('query', { status: 200, body: queryResponse([{ name: 'n', type: 'INTEGER' }], rows) });
    const result = await open().sql('SELECT n FROM t');
    expect(result.rows).toHaveLength(200_000);
    expect(result.rows[199_999]).toEqual({ n: 199_999 });
  });
});
