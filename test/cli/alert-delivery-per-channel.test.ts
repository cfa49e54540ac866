import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { weekOfTraffic } from '../../cli/demo/week-of-traffic.js';
import { runCli } from '../helpers/cli-harness.js';
import { writeDemoRanges } from '../helpers/demo-ranges.js';
import { type FakeChatServer, startFakeChatServer } from '../helpers/fake-chat-server.js';

/** Issue 11, items 8 and 9, through the real CLI against two chat stand-ins on 127.0.0.1. */
const END = new Date('2026-11-16T09:00:00Z');
const POLICY = join(__dirname, '..', '..', 'docs', 'policy.example.yaml');
const INCIDENTS = 9;

let directory: string;
let store: string;
let slack: FakeChatServer;
let teams: FakeChatServer;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-channels-'));
  for (const file of weekOfTraffic({ end: END }).files) {
    const path = join(directory, 'week', file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.bytes);
  }
  writeDemoRanges(join(directory, 'ranges'));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

beforeEach(async () => {
  store = join(directory, `store-${Math.random().toString(36).slice(2)}.duckdb`);
  slack = await startFakeChatServer();
  teams = await startFakeChatServer();
});

afterEach(async () => {
  await slack.close();
  await teams.close();
});

const slackHook = () => `slack=${slack.url('/services/T000/B000/secret-token')}`;
const teamsHook = () => `teams=${teams.url('/workflows/abc/triggers/manual/paths/invoke?sig=secret-sig')}`;
const webhooks = () => ({ TOKENTRAIL_WEBHOOKS: `${slackHook()} ${teamsHook()}` });
const detect = () =>
  runCli(
    [
      'detect',
      '--store',
      store,
      '--policy',
      POLICY,
      '--ranges',
      join(directory, 'ranges'),
      '--no-progress',
      join(directory, 'week'),
    ],
    {
      env: webhooks(),
      now: END,
    },
  );
const retry = (...flags: string[]) =>
  runCli(['alerts', 'retry', '--store', store, ...flags], { env: webhooks(), now: END });
const listed = async (status: string) =>
  (await runCli(['alerts', 'list', '--status', status, '--json', '--store', store])).rows;

describe('alert delivery is tracked per channel', () => {
  it('Slack 200 and Teams 500: reports each channel truly, and retry posts to Teams only', async () => {
    // Retry-After: 0 keeps the CLI's five attempts per alert from sleeping between them.
    const boom = { status: 500, body: 'boom', headers: { 'retry-after': '0' } };
    teams.reply(...Array.from({ length: INCIDENTS * 5 }, () => boom));

    const first = await detect();
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/delivered 9 alert\(s\) to slack http:\/\/127\.0\.0\.1:\d+\n/);
    expect(first.stderr).toMatch(/delivered 0 alert\(s\) to teams http:\/\/127\.0\.0\.1:\d+\n/);
    expect(first.stderr).toMatch(/teams http:\/\/127\.0\.0\.1:\d+: 9 alert\(s\) not delivered/);
    expect(first.stderr).not.toMatch(/slack http:\/\/127\.0\.0\.1:\d+: \d+ alert\(s\) not delivered/);
    expect(slack.landed).toHaveLength(INCIDENTS);
    const failed = await listed('failed');
    expect(failed).toHaveLength(INCIDENTS);
    const states = (row: Record<string, unknown>) =>
      Object.values(
        (row.deliveries as { channels: Record<string, { channel: string; state: string }> }).channels,
      )
        .map((entry) => `${entry.channel.split(' ')[0]}=${entry.state}`)
        .sort();
    expect(failed.map(states)).toEqual(
      Array.from({ length: INCIDENTS }, () => ['slack=delivered', 'teams=failed']),
    );

    const retried = await retry();
    expect(retried.code).toBe(0);
    expect(slack.requests).toHaveLength(INCIDENTS); // not one more post to Slack
    expect(teams.landed).toHaveLength(INCIDENTS);
    expect(retried.stderr).toMatch(/delivered 0 alert\(s\) to slack/);
    expect(retried.stderr).toMatch(/delivered 9 alert\(s\) to teams/);
    expect(await listed('delivered')).toHaveLength(INCIDENTS);
  });

  it('a post whose answer was lost is not resent, is named by retry, and is sent once more only with --unconfirmed', async () => {
    // Teams reads each message and hangs up without answering: each may have been posted.
    teams.reply(...Array.from({ length: INCIDENTS }, () => ({ status: 200, hangUp: true })));

    const first = await detect();
    expect(first.code).toBe(1);
    expect(teams.requests).toHaveLength(INCIDENTS); // one post each, not five
    expect(first.stderr).toMatch(/teams http:\/\/127\.0\.0\.1:\d+: 9 alert\(s\) posted without an answer/);
    expect(await listed('unconfirmed')).toHaveLength(INCIDENTS);

    const plain = await retry();
    expect(plain.code).toBe(1);
    expect(teams.requests).toHaveLength(INCIDENTS);
    expect(slack.requests).toHaveLength(INCIDENTS);
    expect(
      plain.stderr.match(/to teams http:\/\/127\.0\.0\.1:\d+: posted .* not resent without --unconfirmed/g),
    ).toHaveLength(INCIDENTS);

    const asked = await retry('--unconfirmed');
    expect(asked.code).toBe(0);
    expect(teams.requests).toHaveLength(2 * INCIDENTS);
    expect(slack.requests).toHaveLength(INCIDENTS);
    expect(await listed('delivered')).toHaveLength(INCIDENTS);

    const after = await retry('--unconfirmed');
    expect(after.code).toBe(0);
    expect(teams.requests).toHaveLength(2 * INCIDENTS);
  });
});
