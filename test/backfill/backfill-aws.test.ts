import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-harness.js';
import {
  AWS_ERROR,
  type FakeCloudTrail,
  type FakeLookupEvent,
  lookupEventOf,
  startFakeCloudTrail,
} from '../helpers/fake-cloudtrail.js';
import { fakePacing, runBackfillCli, useFakeAwsCredentials } from './backfill-cli.js';

const FIXTURE = join(
  __dirname,
  '../../shared/core/normalize/fixtures/aws-assume-role-with-web-identity/github-actions-success.json',
);
const TEMPLATE = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { record: Record<string, unknown> }).record;
const NOW = new Date('2025-11-25T00:00:00Z');
const SINCE = Date.parse('2025-11-18T00:00:00Z') / 1000;
const HOUR = 3600;
const MALFORMED = '{"eventVersion":"1.08","eventID":"broken-1","eventTime":';

function exchange(index: number, epochSeconds: number): FakeLookupEvent {
  const eventTime = new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
  return lookupEventOf({
    ...TEMPLATE,
    eventID: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    eventTime,
    eventName: 'AssumeRoleWithWebIdentity',
  });
}

/** 120 exchanges an hour apart from 2025-11-19, one unparseable event, and events the lookup must not return. */
function history(): FakeLookupEvent[] {
  const start = Date.parse('2025-11-19T00:00:00Z') / 1000;
  const events = Array.from({ length: 120 }, (_, index) => exchange(index, start + index * HOUR));
  events.push({
    EventId: 'broken-1',
    EventName: 'AssumeRoleWithWebIdentity',
    EventTime: start - HOUR,
    CloudTrailEvent: MALFORMED,
  });
  events.push(exchange(900, Date.parse('2025-11-10T00:00:00Z') / 1000)); // before the window
  events.push({ ...exchange(901, start + 5), EventName: 'AssumeRole' }); // another event name
  return events;
}

useFakeAwsCredentials();

let directory: string;
let store: string;
let cloudTrail: FakeCloudTrail | undefined;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-backfill-aws-'));
  store = join(directory, 'store.duckdb');
});

afterEach(async () => {
  await cloudTrail?.close();
  cloudTrail = undefined;
  rmSync(directory, { recursive: true, force: true });
});

const sql = async (text: string) =>
  (await runCli(['query', 'sql', text, '--store', store, '--json'], { now: NOW })).rows;

function backfill(args: string[], clock: ReturnType<typeof fakePacing>, now = NOW, awsMaxAttempts = 1) {
  return runBackfillCli(['backfill', 'aws', '--store', store, '--json', ...args], {
    env: {
      TOKENTRAIL_CLOUDTRAIL_ENDPOINT: cloudTrail!.url,
      TOKENTRAIL_CHECKPOINT_DIR: join(directory, 'checkpoints'),
    },
    now,
    dependencies: { pacing: clock.pacing, random: () => 0.5, awsMaxAttempts },
  });
}

const checkpointFile = () => join(directory, 'checkpoints', 'backfill-aws-us-east-1.json');
const readCheckpoint = () => JSON.parse(readFileSync(checkpointFile(), 'utf8')) as Record<string, unknown>;

describe('tokentrail backfill aws', () => {
  it('pages through LookupEvents under the rate limit into the store, quarantining a malformed event', async () => {
    const clock = fakePacing();
    cloudTrail = await startFakeCloudTrail(history(), { clock: clock.now });

    const result = await backfill(['--region', 'us-east-1'], clock);

    expect(result.code).toBe(3);
    const { requests } = cloudTrail;
    expect(requests).toHaveLength(3);
    expect(requests.map((request) => request.target)).toEqual(
      Array(3).fill('CloudTrail_20131101.LookupEvents'),
    );
    expect(requests[0]!.body).toEqual({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRoleWithWebIdentity' }],
      StartTime: SINCE,
      EndTime: NOW.getTime() / 1000,
      MaxResults: 50,
    });
    expect(requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKEFORTESTS\//);
    expect(requests[1]!.body.NextToken).toEqual(expect.any(String));
    expect(requests[2]!.body).toMatchObject({
      StartTime: SINCE,
      MaxResults: 50,
      NextToken: expect.any(String),
    });

    // At most 2 requests a second, on the injected clock: the first goes at once, then 500 ms apart.
    const gaps = requests.slice(1).map((request, index) => request.at - requests[index]!.at);
    expect(gaps).toEqual([500, 500]);
    expect(clock.sleeps).toEqual([500, 500]);

    expect(result.rows).toEqual([
      expect.objectContaining({
        type: 'summary',
        source: 'aws:cloudtrail:us-east-1:AssumeRoleWithWebIdentity',
        complete: true,
        pages: 3,
        events: 121,
        written: 120,
        quarantined: 1,
        rejected_by: { invalid_json: 1 },
      }),
    ]);
    expect(result.stderrLines).toContainEqual(
      expect.objectContaining({ type: 'notice', message: expect.stringContaining('S3 data events') }),
    );

    expect(
      await sql('SELECT count(*) AS n, min(event_time) AS first, max(action) AS action FROM events'),
    ).toEqual([{ n: 120, first: '2025-11-19T00:00:00.000000Z', action: 'AssumeRoleWithWebIdentity' }]);
    expect(await sql("SELECT input, code, position->>'path' AS path, raw FROM quarantine")).toEqual([
      {
        input: 'cloudtrail-lookup-events:us-east-1',
        code: 'invalid_json',
        path: '/EventId/broken-1',
        raw: MALFORMED,
      },
    ]);
    expect(readCheckpoint()).toMatchObject({ complete: true, reached: '2025-11-18T23:00:00.000000Z' });
  });

  it('resumes after a failure on page 2 from the oldest event time stored, with the saved window', async () => {
    const clock = fakePacing();
    cloudTrail = await startFakeCloudTrail(history(), {
      clock: clock.now,
      script: (_request, index) => (index === 1 ? AWS_ERROR('InternalFailure', 'boom', 500) : undefined),
    });

    const failed = await backfill([], clock);

    expect(failed.code).toBe(1);
    expect(failed.rows[0]).toMatchObject({ complete: false, pages: 1, written: 50 });
    expect(failed.stderrLines).toContainEqual(
      expect.objectContaining({ type: 'error', message: expect.stringContaining('stopped: boom') }),
    );
    expect(failed.stderrLines).toContainEqual(
      expect.objectContaining({
        type: 'notice',
        message: expect.stringContaining(
          'to continue from 2025-11-21T22:00:00.000000Z, run the same command with --resume',
        ),
      }),
    );
    // Newest first: page 1 held the 50 newest, hours 119 down to 70.
    const reached = '2025-11-21T22:00:00.000000Z';
    expect(readCheckpoint()).toMatchObject({
      version: 1,
      source: 'aws:cloudtrail:us-east-1:AssumeRoleWithWebIdentity',
      since: '2025-11-18T00:00:00.000000Z',
      until: '2025-11-25T00:00:00.000000Z',
      reached,
      complete: false,
    });
    expect(await sql('SELECT count(*) AS n FROM events')).toEqual([{ n: 50 }]);

    await cloudTrail.close();
    cloudTrail = await startFakeCloudTrail(history(), { clock: clock.now });
    // A day later: --resume keeps the saved window rather than "7d before now".
    const resumed = await backfill(['--resume'], clock, new Date('2025-11-26T00:00:00Z'));

    expect(resumed.code).toBe(3);
    expect(cloudTrail.requests[0]!.body).toEqual({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRoleWithWebIdentity' }],
      StartTime: SINCE,
      EndTime: Date.parse(reached) / 1000,
      MaxResults: 50,
    });
    expect(resumed.stderrLines).toContainEqual(
      expect.objectContaining({ type: 'notice', message: expect.stringContaining('resuming') }),
    );
    // The event at exactly `reached` is read again and counted as a duplicate, nothing more.
    expect(resumed.rows[0]).toMatchObject({ resumed: true, complete: true, written: 70, duplicates: 1 });
    expect(await sql('SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events')).toEqual([
      { n: 120, ids: 120 },
    ]);
    expect(readCheckpoint()).toMatchObject({ complete: true });

    const again = await backfill(['--resume'], clock);
    expect(again.code).toBe(0);
    expect(cloudTrail.requests).toHaveLength(2);
    expect(again.stderrLines).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('nothing to resume') }),
    );
  });

  it('lets the SDK retry throttling, each attempt in its own slot of the rate limit', async () => {
    const clock = fakePacing();
    cloudTrail = await startFakeCloudTrail([exchange(1, SINCE + HOUR)], {
      clock: clock.now,
      script: (_request, index) =>
        index === 0 ? AWS_ERROR('ThrottlingException', 'Rate exceeded') : undefined,
    });

    const result = await backfill([], clock, NOW, 3);

    expect(result.code).toBe(0);
    expect(cloudTrail.requests).toHaveLength(2);
    expect(cloudTrail.requests[1]!.at - cloudTrail.requests[0]!.at).toBe(500);
    expect(result.rows[0]).toMatchObject({ written: 1, complete: true });
  });

  it('reads each region named, with its own checkpoint, and refuses one --checkpoint for several', async () => {
    const clock = fakePacing();
    cloudTrail = await startFakeCloudTrail([exchange(1, SINCE + HOUR)], { clock: clock.now });

    const result = await backfill(['--region', 'us-east-1', '--region', 'eu-west-1'], clock);
    expect(result.code).toBe(0);
    expect(result.rows.map((row) => [row.source, row.events])).toEqual([
      ['aws:cloudtrail:us-east-1:AssumeRoleWithWebIdentity', 1],
      ['aws:cloudtrail:eu-west-1:AssumeRoleWithWebIdentity', 1],
    ]);
    expect(cloudTrail.requests[1]!.headers.authorization).toContain('/eu-west-1/cloudtrail/aws4_request');
    expect(readFileSync(join(directory, 'checkpoints', 'backfill-aws-eu-west-1.json'), 'utf8')).toContain(
      '"complete": true',
    );

    const refused = await backfill(
      ['--region', 'us-east-1', '--region', 'eu-west-1', '--checkpoint', join(directory, 'x.json')],
      clock,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--checkpoint names one file');

    const badRegion = await backfill(['--region', 'US East'], clock);
    expect(badRegion.code).toBe(1);
    expect(badRegion.stderr).toContain('expected an AWS region');
  });

  it('prints a summary like ingest, and a progress line when stderr is a terminal', async () => {
    const clock = fakePacing();
    cloudTrail = await startFakeCloudTrail(history(), { clock: clock.now });
    const run = (...extra: string[]) =>
      runBackfillCli(['backfill', 'aws', '--store', store, ...extra], {
        env: { TOKENTRAIL_CLOUDTRAIL_ENDPOINT: cloudTrail!.url, TOKENTRAIL_CHECKPOINT_DIR: directory },
        now: NOW,
        stderrIsTTY: true,
        dependencies: { pacing: clock.pacing, random: () => 0.5, awsMaxAttempts: 1 },
      });

    const shown = await run();
    expect(shown.code).toBe(3);
    expect(shown.stdout).toContain(
      'backfilled CloudTrail LookupEvents us-east-1 (AssumeRoleWithWebIdentity), 2025-11-18T00:00:00.000000Z to 2025-11-25T00:00:00.000000Z: 3 pages, 121 events',
    );
    expect(shown.stdout).toMatch(/rows written +120\n/);
    expect(shown.stdout).toMatch(/quarantined +1 {2}\(invalid_json 1\)/);
    expect(shown.stderr).toContain(
      '\r\x1b[2KCloudTrail LookupEvents us-east-1 (AssumeRoleWithWebIdentity): 1 pages, 50 events',
    );
    expect(shown.stderr).toContain(
      'tokentrail backfill: note: S3 data events (GetObject, PutObject) are not in LookupEvents',
    );

    const quiet = await run('--no-progress');
    expect(quiet.stderr).not.toContain('\r');
  });

  it('explains itself in --help, with examples', async () => {
    const clock = fakePacing();
    cloudTrail = await startFakeCloudTrail([]);
    const help = await backfill(['--help'], clock);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('LookupEvents');
    expect(help.stdout).toContain('S3 data events');
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--resume');
  });
});
