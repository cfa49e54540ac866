import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { weekOfTraffic } from '../../cli/demo/week-of-traffic.js';
import { runCli } from '../helpers/cli-harness.js';
import { writeDemoRanges } from '../helpers/demo-ranges.js';
import { type FakeChatServer, startFakeChatServer } from '../helpers/fake-chat-server.js';

const END = new Date('2026-11-16T09:00:00Z');
const POLICY = join(__dirname, '..', '..', 'docs', 'policy.example.yaml');

let directory: string;
let store: string;
let chat: FakeChatServer;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-detect-'));
  for (const file of weekOfTraffic({ end: END }).files) {
    const path = join(directory, 'week', file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.bytes);
  }
  writeDemoRanges(join(directory, 'ranges'));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

beforeEach(async () => {
  store = join(directory, `store-${Date.now()}-${Math.random()}.duckdb`);
  chat = await startFakeChatServer();
});

afterEach(() => chat.close());

const detect = (...args: string[]) =>
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
      ...args,
    ],
    {
      now: END,
    },
  );

describe('tokentrail detect and alerts', () => {
  it('prints one NDJSON line per incident, delivers each once, and a re-run sends nothing', async () => {
    const webhook = `slack=${chat.url('/services/T000/B000/secret-token')}`;
    const first = await detect(join(directory, 'week'), '--webhook', webhook);
    expect(first.code).toBe(0);
    expect(first.rows.map((alert) => alert.rule).sort()).toEqual([
      'audience-mismatch',
      'audience-mismatch',
      'credential-used-elsewhere',
      'trust-drift',
      'trust-widened',
      'unexpected-subject',
      'unexpected-subject',
      'weak-trust',
      'whole-pool-grant',
    ]);
    expect(Object.keys(first.rows[0]!)).toEqual(
      expect.arrayContaining([
        'rule',
        'severity',
        'title',
        'principal',
        'subject',
        'identity_provider',
        'audience',
        'resource',
        'count',
        'first_seen',
        'last_seen',
        'event_ids',
      ]),
    );
    expect(chat.requests).toHaveLength(9);
    expect(first.stderr).toContain('delivered 9 alert(s) to slack http://127.0.0.1');
    expect(first.stderr).not.toContain('secret-token');

    const again = await detect('--webhook', webhook);
    expect(again.code).toBe(0);
    expect(again.rows).toHaveLength(9); // the same incidents, found again
    expect(chat.requests).toHaveLength(9); // and not sent again
  });

  it('keeps an alert the channel refused as failed, and alerts retry delivers it later', async () => {
    chat.reply(...Array.from({ length: 9 }, () => ({ status: 400, body: 'invalid_payload' })));
    const webhook = `teams=${chat.url('/workflows/abc/triggers/manual/paths/invoke?sig=secret-sig')}`;
    const failed = await detect(join(directory, 'week'), '--webhook', webhook);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/9 alert\(s\) not delivered, kept for `tokentrail alerts retry`/);
    expect(failed.stderr).not.toContain('secret-sig');

    const listed = await runCli(['alerts', 'list', '--status', 'failed', '--json', '--store', store]);
    expect(listed.rows).toHaveLength(9);
    expect(listed.rows[0]!.last_error).toMatch(/^teams http:\/\/127\.0\.0\.1:\d+: .*400/);
    expect(JSON.stringify(listed.rows)).not.toContain('secret-sig');

    const retried = await runCli(['alerts', 'retry', '--store', store], {
      env: { TOKENTRAIL_WEBHOOKS: webhook },
      now: END,
    });
    expect(retried.code).toBe(0);
    expect(chat.requests).toHaveLength(18);
    expect(
      (await runCli(['alerts', 'list', '--status', 'delivered', '--json', '--store', store])).rows,
    ).toHaveLength(9);
  });

  it('acknowledges an alert by id', async () => {
    await detect(join(directory, 'week'));
    const pending = await runCli(['alerts', 'list', '--json', '--store', store]);
    const id = pending.rows[0]!.alert_id as string;
    const acked = await runCli(['alerts', 'ack', id, 'no-such-id', '--store', store], { now: END });
    expect(acked.code).toBe(1);
    expect(acked.stdout).toBe(`acked ${id}\n`);
    expect(acked.stderr).toContain('no alert no-such-id');
    expect(
      (await runCli(['alerts', 'list', '--status', 'acked', '--json', '--store', store])).rows,
    ).toHaveLength(1);
  });

  it('judges the window a day at a time with --step, and each ready query names the store', async () => {
    const stepped = await detect(join(directory, 'week'), '--since', '7d', '--step', '1d');
    expect(stepped.code).toBe(0);
    expect(stepped.stderr).toMatch(/alert\(s\) from \S+ to \S+ in 7 steps of 1d in duckdb:/);
    // The first day's trust-widened alert knows no subject yet: the fork's exchange came a day later.
    expect(
      stepped.rows.filter((alert) => alert.rule === 'trust-widened').map((alert) => alert.subject),
    ).toEqual([null]);
    for (const alert of stepped.rows)
      expect(alert.query).toMatch(new RegExp(` --store duckdb:${store.replaceAll('.', '\\.')}$`));

    const bad = await detect('--step', 'daily');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--step "daily": use a length of time (1d, 12h, 30m)');
  });

  it('points at the line of a mistake in the policy', async () => {
    const policy = join(directory, 'bad-policy.yaml');
    writeFileSync(policy, 'expect:\n  - principal: "arn:aws:iam::1:role/x"\n    subjects: "repo:acme/*"\n');
    const result = await runCli(['detect', '--store', store, '--policy', policy, join(directory, 'week')], {
      now: END,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${policy}:3:15: expect[0].subjects must be a list of strings`);
  });
});
