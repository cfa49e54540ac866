import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIpRanges } from '../../shared/adapters/ranges/range-files.js';
import { runCli } from '../helpers/cli-harness.js';
import { type LocalServer, listenLocally } from '../helpers/local-server.js';

/**
 * `tokentrail ranges update` against a stand-in for the three publishers on 127.0.0.1, reached
 * through TOKENTRAIL_RANGES_ENDPOINT: the requests, the files written, and a failed or malformed
 * list leaving its previous file alone. The bodies are small documents in the published shapes.
 */
const AWS = {
  syncToken: '1764930000',
  createDate: '2026-12-05-10-20-00',
  prefixes: [
    {
      ip_prefix: '198.51.100.0/24',
      region: 'us-east-1',
      service: 'AMAZON',
      network_border_group: 'us-east-1',
    },
    { ip_prefix: '198.51.100.0/24', region: 'us-east-1', service: 'EC2', network_border_group: 'us-east-1' },
  ],
  ipv6_prefixes: [
    {
      ipv6_prefix: '2001:db8:1234::/48',
      region: 'eu-west-1',
      service: 'S3',
      network_border_group: 'eu-west-1',
    },
  ],
};
const GCP = {
  syncToken: '1764930000123',
  creationTime: '2026-12-05T10:20:00.123456',
  prefixes: [{ ipv4Prefix: '203.0.113.0/25', service: 'Google Cloud', scope: 'europe-west1' }],
};
const GITHUB = { verifiable_password_authentication: false, actions: ['192.0.2.0/24', '2001:db8:aa::/48'] };

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

type Answer = { status: number; body: string };

let server: LocalServer;
let seen: Seen[];
let answers: Record<string, Answer>;
let root: string;
let dir: string;

const ok = (value: unknown): Answer => ({ status: 200, body: JSON.stringify(value) });

beforeAll(async () => {
  server = await listenLocally(
    createServer((request, response) => {
      seen.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
      const answer = answers[request.url ?? ''] ?? { status: 404, body: '{"message":"Not Found"}' };
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    }),
  );
});
afterAll(() => server.close());

beforeEach(() => {
  seen = [];
  answers = { '/ip-ranges.json': ok(AWS), '/ipranges/cloud.json': ok(GCP), '/meta': ok(GITHUB) };
  root = mkdtempSync(join(tmpdir(), 'tokentrail-ranges-update-'));
  dir = join(root, 'ranges');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const update = (...args: string[]) =>
  runCli(['ranges', 'update', '--dir', dir, ...args], { env: { TOKENTRAIL_RANGES_ENDPOINT: server.url } });
const file = (name: string) => readFileSync(join(dir, name), 'utf8');

describe('tokentrail ranges update', () => {
  it('fetches the three lists and writes each as published', async () => {
    const run = await update();
    expect(run.code).toBe(0);
    expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /ip-ranges.json',
      'GET /ipranges/cloud.json',
      'GET /meta',
    ]);
    // GitHub's API refuses a request without a User-Agent.
    expect(seen[2]!.headers['user-agent']).toBe('tokentrail');
    expect(seen[2]!.headers.authorization).toBeUndefined();
    expect(readdirSync(dir).sort()).toEqual(['aws-ip-ranges.json', 'gcp-cloud.json', 'github-meta.json']);
    expect(JSON.parse(file('aws-ip-ranges.json'))).toEqual(AWS);
    expect(JSON.parse(file('gcp-cloud.json'))).toEqual(GCP);
    expect(JSON.parse(file('github-meta.json'))).toEqual(GITHUB);

    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      `aws\t${join(dir, 'aws-ip-ranges.json')}\t3 aws prefixes\tsyncToken 1764930000, createDate 2026-12-05-10-20-00`,
      `gcp\t${join(dir, 'gcp-cloud.json')}\t1 gcp prefixes\tsyncToken 1764930000123, creationTime 2026-12-05T10:20:00.123456`,
      `github\t${join(dir, 'github-meta.json')}\t2 github-actions prefixes\tno edition stamp`,
    ]);
    expect(run.stderr).toContain(`AWS ip-ranges.json: fetching ${server.url}/ip-ranges.json`);
    expect(run.stderr).toContain(`GitHub meta: wrote ${join(dir, 'github-meta.json')} (2 prefixes`);

    const ranges = await loadIpRanges(dir);
    expect(ranges.match('198.51.100.7')).toEqual({ provider: 'aws', region: 'us-east-1', service: 'EC2' });
    expect(ranges.match('203.0.113.9')?.region).toBe('europe-west1');
    expect(ranges.match('2001:db8:aa:1::1')?.provider).toBe('github-actions');
  });

  it('keeps the previous file when a list fails to download, and writes the others', async () => {
    expect((await update()).code).toBe(0);
    const before = file('gcp-cloud.json');
    answers['/ipranges/cloud.json'] = { status: 500, body: '{"error":{"message":"backend unavailable"}}' };
    answers['/ip-ranges.json'] = ok({ ...AWS, syncToken: '1764940000' });
    seen = [];

    const run = await update();
    expect(run.code).toBe(1);
    // A 5xx is retried (three attempts in all), then given up.
    expect(seen.filter(({ path }) => path === '/ipranges/cloud.json')).toHaveLength(3);
    expect(file('gcp-cloud.json')).toBe(before);
    expect(JSON.parse(file('aws-ip-ranges.json')).syncToken).toBe('1764940000');
    expect(run.stdout).toContain(
      `gcp\t${join(dir, 'gcp-cloud.json')}\tFAILED (kept the previous file): Google Cloud cloud.json at ${server.url}/ipranges/cloud.json: HTTP 500: backend unavailable (gave up after 3 attempts)`,
    );
    expect(readdirSync(dir).sort()).toEqual(['aws-ip-ranges.json', 'gcp-cloud.json', 'github-meta.json']);
  }, 20_000);

  it.each([
    ['an error page', '<html><body>Rate limited</body></html>', 'GitHub meta: not JSON'],
    [
      'a document in another shape',
      '{"message":"Bad credentials"}',
      'GitHub meta: "actions" is not an array',
    ],
    ['a list with no prefixes', '{"actions":[]}', 'GitHub meta: no prefixes in the answer'],
    [
      'a prefix that is not a CIDR',
      '{"actions":["192.0.2.0/24","github.com"]}',
      "actions[1] 'github.com' is not a CIDR",
    ],
  ])('rejects %s without touching the previous file', async (_, body, message) => {
    expect((await update()).code).toBe(0);
    const before = file('github-meta.json');
    answers['/meta'] = { status: 200, body };

    const run = await update('--json');
    expect(run.code).toBe(1);
    expect(file('github-meta.json')).toBe(before);
    const github = run.rows.find((row) => row.kind === 'github');
    expect(github).toMatchObject({ type: 'ranges', ok: false, kept: true });
    expect(github!.error).toContain(message);
    expect(run.rows.filter((row) => row.ok === true).map((row) => row.kind)).toEqual(['aws', 'gcp']);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('writes nothing for a list that never arrived', async () => {
    answers['/ip-ranges.json'] = { status: 404, body: '{"message":"Not Found"}' };
    const run = await update('--json');
    expect(run.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['gcp-cloud.json', 'github-meta.json']);
    expect(run.rows[0]).toMatchObject({ kind: 'aws', ok: false, kept: false });
    expect(run.rows[1]).toMatchObject({
      kind: 'gcp',
      ok: true,
      prefixes: { gcp: 1 },
      published: { syncToken: '1764930000123', creationTime: '2026-12-05T10:20:00.123456' },
    });
  });

  it('says what it does in --help', async () => {
    const run = await runCli(['ranges', 'update', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: tokentrail ranges update [options]');
    expect(run.stdout).toContain('--dir <directory>');
    expect(run.stdout).toContain('https://ip-ranges.amazonaws.com/ip-ranges.json');
    expect(run.stdout).toContain('TOKENTRAIL_RANGES_ENDPOINT');
  });
});
