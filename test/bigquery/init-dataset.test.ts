import { type InitStep, initBigQuery } from '../../shared/adapters/bigquery/init-dataset.js';
import { bigQueryDdl } from '../../shared/core/schema/bigquery-ddl.js';
import { apiError, FakeBigQuery, fakeAuthClient } from '../helpers/fake-bigquery.js';

// The real client over real HTTP, loaded outside jest's sandbox (see requireOutsideJest).
jest.mock('@google-cloud/bigquery', () =>
  require('../helpers/fake-bigquery.js').requireOutsideJest('@google-cloud/bigquery'),
);

describe('initBigQuery', () => {
  let fake: FakeBigQuery;
  beforeEach(async () => {
    fake = await FakeBigQuery.start();
  });
  afterEach(() => fake.close());

  const options = (location?: string) => ({
    projectId: 'my-project',
    dataset: 'tokentrail',
    apiEndpoint: fake.endpoint,
    authClient: fakeAuthClient,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => {},
    ...(location === undefined ? {} : { location }),
  });

  it('runs every DDL statement in order as a query job in the location, reporting each', async () => {
    const steps: InitStep[] = [];
    await initBigQuery(options('EU'), (step) => steps.push(step));

    const statements = bigQueryDdl('my-project.tokentrail', 'EU');
    const requests = fake.requestsTo('query');
    expect(requests.map((r) => r.body.query)).toEqual(statements.map((s) => s.sql));
    for (const request of requests) {
      expect(request.path).toBe('/bigquery/v2/projects/my-project/queries');
      expect(request.body).toMatchObject({ location: 'EU', useLegacySql: false });
      expect(request.body).not.toHaveProperty('queryParameters');
    }
    expect(requests[0]!.body.query).toContain('CREATE SCHEMA IF NOT EXISTS `my-project.tokentrail`');
    expect(requests[0]!.body.query).toContain("location = 'EU'");
    expect(steps).toEqual(
      statements.map((s, i) => ({ name: s.name, index: i + 1, total: statements.length })),
    );
    expect(fake.requests).toHaveLength(statements.length);
  });

  it('is idempotent: a second run sends the same statements and succeeds', async () => {
    await initBigQuery(options());
    const first = fake.requestsTo('query').map((r) => r.body.query);
    await initBigQuery(options());
    const all = fake.requestsTo('query').map((r) => r.body.query);
    expect(all).toEqual([...first, ...first]);
    expect(
      first.every((sql) =>
        /^(CREATE (SCHEMA IF NOT EXISTS|TABLE IF NOT EXISTS|OR REPLACE VIEW)|ALTER TABLE \S+\nADD COLUMN IF NOT EXISTS) /.test(
          sql,
        ),
      ),
    ).toBe(true);
    expect(first[0]).toContain("location = 'US'");
  });

  it('adds the quarantine columns of issue 11 to a dataset made before them, after creating the table', async () => {
    await initBigQuery(options());
    const sent = fake.requestsTo('query').map((r) => String(r.body.query));
    const created = sent.findIndex((sql) =>
      sql.startsWith('CREATE TABLE IF NOT EXISTS `my-project.tokentrail.quarantine`'),
    );
    expect(created).toBeGreaterThan(0);
    expect(
      sent.slice(created + 1, created + 4).map((sql) => sql.split('\n')[1]?.split(' OPTIONS')[0]),
    ).toEqual([
      'ADD COLUMN IF NOT EXISTS raw_bytes INT64',
      'ADD COLUMN IF NOT EXISTS raw_sha256 STRING',
      'ADD COLUMN IF NOT EXISTS raw_truncated BOOL',
    ]);
    expect(sent[created + 1]).toMatch(/^ALTER TABLE `my-project\.tokentrail\.quarantine`\n/);
  });

  it('stops at a failing statement and names it', async () => {
    const done = {
      jobComplete: true,
      jobReference: { projectId: 'my-project', jobId: 'job_1', location: 'US' },
    };
    fake.respond('query', { status: 200, body: done }, apiError(403, 'accessDenied', 'no'));
    const steps: string[] = [];
    await expect(initBigQuery(options(), (step) => steps.push(step.name))).rejects.toThrow(
      'bigquery init: statement table-events failed: bigquery://my-project/tokentrail: jobs.query failed: HTTP 403 accessDenied: no',
    );
    expect(steps).toEqual(['dataset']);
    expect(fake.requestsTo('query')).toHaveLength(2);
  });
});
