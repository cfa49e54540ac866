import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FakeBigQuery, queryResponse } from '../helpers/fake-bigquery.js';
import { killRunningProcesses, runProcess } from '../helpers/run-process.js';

/**
 * The installed command against BigQuery, with a local server answering for the API (no cloud here).
 * The command runs as its own process, so the real client makes real HTTP requests. A run takes
 * under a second idle and many times that on a loaded machine: it is killed after a minute, and
 * each case (one run) gives up after a minute and a half.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));
const STORE = 'bigquery://test-project/tokentrail';

function run(args: string[], endpoint: string) {
  return runProcess(process.execPath, [bin, ...args], {
    env: { ...process.env, TOKENTRAIL_BIGQUERY_ENDPOINT: endpoint, METADATA_SERVER_DETECTION: 'none' },
    timeoutMs: 60_000,
  });
}

afterAll(killRunningProcesses);

(built ? describe : describe.skip)('tokentrail with a BigQuery store', () => {
  let fake: FakeBigQuery;

  beforeEach(async () => {
    fake = await FakeBigQuery.start();
  });

  afterEach(() => fake.close());

  it('ingests the examples with insertId = event_id, in requests of at most 500 rows', async () => {
    const result = await run(
      ['ingest', '--json', '--store', STORE, resolve(root, 'examples')],
      fake.endpoint,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ store: STORE, written: 31, quarantined: 0 });
    const inserts = fake.requestsTo('insertAll');
    expect(inserts.map((request) => request.path)).toEqual([
      '/bigquery/v2/projects/test-project/datasets/tokentrail/tables/events/insertAll',
    ]);
    const rows = (inserts[0]!.body as { rows: { insertId: string; json: { event_id: string } }[] }).rows;
    expect(rows).toHaveLength(31);
    expect(rows.every((row) => row.insertId === row.json.event_id)).toBe(true);
  }, 90_000);

  it('sends who-accessed as a parameterized query and prints the answer', async () => {
    fake.respond('query', {
      status: 200,
      body: queryResponse(
        [
          { name: 'cloud', type: 'STRING' },
          { name: 'bucket', type: 'STRING' },
          { name: 'subject', type: 'STRING' },
          { name: 'principal', type: 'STRING' },
          { name: 'actions', type: 'STRING', mode: 'REPEATED' },
          { name: 'count', type: 'INTEGER' },
          { name: 'failures', type: 'INTEGER' },
          { name: 'first_seen', type: 'TIMESTAMP' },
          { name: 'last_seen', type: 'TIMESTAMP' },
        ],
        [
          [
            'aws',
            'acme-prod-assets',
            'repo:acme/web:ref:refs/heads/main',
            'arn:aws:iam::111122223333:role/github-deploy',
            ['GetObject'],
            '3',
            '0',
            '1763632800000000',
            '1763636400000000',
          ],
        ],
      ),
    });
    const result = await run(
      ['query', 'who-accessed', '--bucket', "acme-prod-*' OR 1=1", '--json', '--store', STORE],
      fake.endpoint,
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      cloud: 'aws',
      bucket: 'acme-prod-assets',
      subject: 'repo:acme/web:ref:refs/heads/main',
      principal: 'arn:aws:iam::111122223333:role/github-deploy',
      actions: ['GetObject'],
      count: 3,
      failures: 0,
      first_seen: '2025-11-20T10:00:00.000000Z',
      last_seen: '2025-11-20T11:00:00.000000Z',
    });
    const body = fake.requestsTo('query')[0]!.body as { query: string; queryParameters: unknown[] };
    expect(body.query).toContain('FROM `test-project.tokentrail.events_unique` AS used');
    expect(body.query).not.toContain('OR 1=1');
    expect(body.queryParameters).toContainEqual({
      name: 'bucket',
      parameterType: { type: 'STRING' },
      parameterValue: { value: "^acme-prod-.*' OR 1=1$" },
    });
  }, 90_000);

  it('bigquery init runs every set-up statement (infra/bigquery/setup) in order', async () => {
    const result = await run(['bigquery', 'init', '--project', 'test-project'], fake.endpoint);
    expect(result.code).toBe(0);
    const steps = readdirSync(resolve(root, 'infra/bigquery/setup')).filter((name) => name.endsWith('.sql'));
    expect(result.stderr).toMatch(
      new RegExp(
        `^\\[1/${steps.length}\\] dataset\n[\\s\\S]*\\[${steps.length}/${steps.length}\\] view-who-accessed\n$`,
      ),
    );
    const queries = fake.requestsTo('query').map((request) => (request.body as { query: string }).query);
    expect(queries[0]).toMatch(/^CREATE SCHEMA IF NOT EXISTS `test-project.tokentrail`/);
    expect(queries[1]).toMatch(
      /^CREATE TABLE IF NOT EXISTS `test-project.tokentrail.events`[\s\S]*PARTITION BY DATE\(event_time\)\nCLUSTER BY category, bucket, principal, subject/,
    );
    expect(queries).toHaveLength(steps.length);
  }, 90_000);
});
