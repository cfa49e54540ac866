import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_ROUTER_FILTER } from '../../shared/core/queries/log-router-filter.js';
import { runCli } from '../helpers/cli-harness.js';
import { type FakeCloudLogging, GOOGLE_ERROR, startFakeCloudLogging } from '../helpers/fake-cloud-logging.js';
import { fakePacing, runBackfillCli } from './backfill-cli.js';

const FIXTURES = join(__dirname, '../../shared/core/normalize/fixtures');
const fixtureRecord = (path: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as { record: Record<string, unknown> }).record;
const EXCHANGE = fixtureRecord('gcp-sts-exchange-token/github-oidc-success.json');
const SKIPPED = fixtureRecord('skipped/logentry-iam-create-service-account.json');

const NOW = new Date('2025-11-25T00:00:00Z');
const SINCE = '2025-11-18T00:00:00.000000Z';
const UNTIL = '2025-11-25T00:00:00.000000Z';

/** Entries a minute apart from 2025-11-20T00:00, with nanosecond timestamps as Cloud Logging writes them. */
function entries(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({
    ...EXCHANGE,
    insertId: `entry-${String(index).padStart(4, '0')}`,
    timestamp: new Date(Date.parse('2025-11-20T00:00:00Z') + index * 60_000)
      .toISOString()
      .replace('.000Z', '.123456789Z'),
  }));
}

let directory: string;
let store: string;
let logging: FakeCloudLogging | undefined;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-backfill-gcp-'));
  store = join(directory, 'store.duckdb');
});

afterEach(async () => {
  await logging?.close();
  logging = undefined;
  rmSync(directory, { recursive: true, force: true });
});

const sql = async (text: string) =>
  (await runCli(['query', 'sql', text, '--store', store, '--json'], { now: NOW })).rows;

function backfill(args: string[], clock: ReturnType<typeof fakePacing>) {
  return runBackfillCli(
    ['backfill', 'gcp', '--project', 'acme-wif-prod', '--store', store, '--json', ...args],
    {
      env: {
        TOKENTRAIL_LOGGING_ENDPOINT: logging!.url,
        TOKENTRAIL_CHECKPOINT_DIR: join(directory, 'checkpoints'),
      },
      now: NOW,
      dependencies: { pacing: clock.pacing, random: () => 0.5 },
    },
  );
}

const readCheckpoint = () =>
  JSON.parse(
    readFileSync(join(directory, 'checkpoints', 'backfill-gcp-acme-wif-prod.json'), 'utf8'),
  ) as Record<string, unknown>;

describe('tokentrail backfill gcp', () => {
  it("lists entries with the sink's filter and the window, page by page, retrying a 429", async () => {
    const clock = fakePacing();
    const all = [...entries(5), { ...SKIPPED, timestamp: '2025-11-21T00:00:00Z' }];
    logging = await startFakeCloudLogging(all, {
      maxPageSize: 2,
      script: (_request, index) =>
        index === 1 ? GOOGLE_ERROR(429, 'Quota exceeded', { 'retry-after': '7' }) : undefined,
    });

    const result = await backfill(['--since', '7d'], clock);

    expect(result.code).toBe(0);
    const { requests } = logging;
    expect(requests.map((request) => request.path)).toEqual(Array(4).fill('/v2/entries:list'));
    expect(requests[0]!.body).toEqual({
      resourceNames: ['projects/acme-wif-prod'],
      filter: `${LOG_ROUTER_FILTER} AND timestamp >= "${SINCE}" AND timestamp <= "${UNTIL}"`,
      orderBy: 'timestamp asc',
      pageSize: 1000,
    });
    // The endpoint override talks to a test server: no credentials go to it.
    expect(requests.every((request) => request.headers.authorization === undefined)).toBe(true);
    // Page 2 was refused with 429 and asked again with the same token after Retry-After.
    expect(requests[1]!.body.pageToken).toEqual(expect.any(String));
    expect(requests[2]!.body).toEqual(requests[1]!.body);
    expect(requests[3]!.body.filter).toBe(requests[0]!.body.filter);
    // One request a second on the injected clock, and the 7 s the 429 asked for.
    expect(clock.sleeps).toEqual([1000, 7000, 1000]);

    expect(result.rows).toEqual([
      expect.objectContaining({
        type: 'summary',
        source: 'gcp:logging:projects/acme-wif-prod',
        pages: 3,
        events: 6,
        written: 5,
        skipped: 1,
        quarantined: 0,
        complete: true,
        reached: '2025-11-21T00:00:00.000000Z',
      }),
    ]);
    expect(
      await sql('SELECT count(*) AS n, min(event_time) AS first, max(subject) AS subject FROM events'),
    ).toEqual([{ n: 5, first: '2025-11-20T00:00:00.123456Z', subject: 'repo:acme/api:ref:refs/heads/main' }]);
  });

  it('gives up on a 403 with what permission to ask for, and resumes from the newest entry stored', async () => {
    const clock = fakePacing();
    logging = await startFakeCloudLogging(entries(5), {
      maxPageSize: 2,
      script: (_request, index) =>
        index === 1 ? GOOGLE_ERROR(403, 'Permission denied on resource project acme-wif-prod.') : undefined,
    });

    const failed = await backfill([], clock);

    expect(failed.code).toBe(1);
    expect(logging.requests).toHaveLength(2);
    const error = failed.stderrLines.find((line) => line.type === 'error')?.message as string;
    expect(error).toContain('HTTP 403: Permission denied');
    expect(error).toContain('roles/logging.privateLogViewer');
    expect(failed.stderrLines).toContainEqual(
      expect.objectContaining({ type: 'notice', message: expect.stringContaining('--resume') }),
    );
    const reached = '2025-11-20T00:01:00.123456Z';
    expect(readCheckpoint()).toMatchObject({ since: SINCE, until: UNTIL, reached, complete: false });
    expect(await sql('SELECT count(*) AS n FROM events')).toEqual([{ n: 2 }]);

    await logging.close();
    logging = await startFakeCloudLogging(entries(5), { maxPageSize: 2 });
    const resumed = await backfill(['--resume'], clock);

    expect(resumed.code).toBe(0);
    expect(logging.requests[0]!.body.filter).toBe(
      `${LOG_ROUTER_FILTER} AND timestamp >= "${reached}" AND timestamp <= "${UNTIL}"`,
    );
    expect(logging.requests[0]!.body.pageToken).toBeUndefined();
    expect(resumed.rows[0]).toMatchObject({ written: 3, duplicates: 1, complete: true });
    expect(await sql('SELECT count(*) AS n FROM events')).toEqual([{ n: 5 }]);
  });

  it('backs off exponentially on 5xx, still one request a second, and gives up after its retries with a clear error', async () => {
    const clock = fakePacing();
    logging = await startFakeCloudLogging(entries(1), {
      script: () => GOOGLE_ERROR(503, 'The service is currently unavailable.'),
    });

    const result = await backfill([], clock);

    expect(result.code).toBe(1);
    expect(logging.requests).toHaveLength(6);
    expect(result.stderr).toContain(
      'HTTP 503: The service is currently unavailable. (gave up after 6 attempts)',
    );
    // Exponential backoff (random 0.5 gives three quarters of each ceiling); after the first 750 ms
    // the pacer waits 250 ms more to keep one request a second.
    expect(clock.sleeps).toEqual([750, 250, 1500, 3000, 6000, 12_000]);
  });

  it('requires a project id, and explains itself in --help', async () => {
    const clock = fakePacing();
    logging = await startFakeCloudLogging([]);
    const missing = await runBackfillCli(['backfill', 'gcp'], {
      dependencies: { pacing: clock.pacing, random: Math.random },
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--project is required: a GCP project id such as acme-prod');

    const number = await backfill(['--project', '123456789012'], clock);
    expect(number.code).toBe(1);
    expect(number.stderr).toContain("--project '123456789012' is not a GCP project id");

    const help = await backfill(['--help'], clock);
    expect(help.stdout).toContain('entries.list');
    expect(help.stdout).toContain('roles/logging.privateLogViewer');
    expect(help.stdout).toContain('Examples:');
  });
});
