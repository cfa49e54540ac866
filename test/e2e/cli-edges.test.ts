import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../../shared/adapters/store/open-store.js';
import type { Alert } from '../../shared/core/alerts/alert.js';
import { type FakeCloudTrail, lookupEventOf, startFakeCloudTrail } from '../helpers/fake-cloudtrail.js';
import { type LocalServer, listenLocally } from '../helpers/local-server.js';
import { killRunningProcesses, runProcess } from '../helpers/run-process.js';

/**
 * Issue 17, the CLI's rough edges, through the installed command (bin/tokentrail.js over dist/:
 * npm run build). Each run gets a clean environment (no cloud credentials, HOME in a temporary
 * directory) and is killed after a minute.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));
const USAGE = 1; // cli/cli-io.ts EXIT.failure: usage or I/O error

let directory: string;

function tokentrail(args: string[], env: Record<string, string> = {}) {
  return runProcess(process.execPath, [bin, ...args], {
    cwd: directory,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: directory,
      CLOUDSDK_CONFIG: directory,
      TOKENTRAIL_CHECKPOINT_DIR: directory,
      ...env,
    },
    timeoutMs: 60_000,
  });
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-cli-edges-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));
afterAll(killRunningProcesses);

(built ? describe : describe.skip)('the tokentrail command (issue 17)', () => {
  it('names a misspelt option before the required option it was meant to be', async () => {
    const run = await tokentrail(['query', 'who-accessed', '--buckt', 'x']);
    expect(run.code).toBe(USAGE);
    expect(run.stderr.split('\n')[0]).toBe("tokentrail: unknown option '--buckt' (did you mean --bucket?)");
    expect(run.stderr).not.toContain('required option');

    const conflicting = await tokentrail([
      'query',
      'who-accessed',
      '--json',
      '--csv',
      '--bucket',
      'x',
      '--jsn',
    ]);
    expect(conflicting.code).toBe(USAGE);
    expect(conflicting.stderr.split('\n')[0]).toBe(
      "tokentrail: unknown option '--jsn' (did you mean --json?)",
    );

    const gcp = await tokentrail(['backfill', 'gcp', '--projct', 'acme-prod']);
    expect(gcp.stderr.split('\n')[0]).toBe("tokentrail: unknown option '--projct' (did you mean --project?)");
  }, 150_000);

  describe('alerts ack', () => {
    const A = `abcdef01${'0'.repeat(56)}`;
    const B = `abcdef02${'0'.repeat(56)}`;
    const C = `0123456789${'f'.repeat(54)}`;

    function alert(alert_id: string, rule: string): Alert {
      return {
        alert_id,
        rule,
        severity: 'high',
        title: `${rule} on the deploy role`,
        principal: 'arn:aws:iam::111122223333:role/deploy',
        subject: 'repo:acme/api:ref:refs/heads/main',
        identity_provider: null,
        audience: null,
        resource: null,
        source_ip: null,
        count: 1,
        first_seen: '2026-11-20T10:00:00.000000Z',
        last_seen: '2026-11-20T10:05:00.000000Z',
        event_ids: [`event-${rule}`],
        runbook: 'Check the trust.',
        query: "tokentrail query principals --subject 'repo:acme/api:*'",
      };
    }

    async function seededStore(): Promise<string> {
      const path = join(directory, 'alerts.duckdb');
      const store = await openStore({ kind: 'duckdb', path });
      try {
        await store.recordAlerts(
          [alert(A, 'unexpected-subject'), alert(B, 'weak-trust'), alert(C, 'audience-mismatch')],
          '2026-11-20T11:00:00.000000Z',
        );
      } finally {
        await store.close();
      }
      return path;
    }

    it('acks by a unique prefix, lists the candidates of an ambiguous one, and says when none matches', async () => {
      const store = await seededStore();

      const unique = await tokentrail(['alerts', 'ack', '012345', '--store', store]);
      expect(unique).toMatchObject({ code: 0, stdout: `acked ${C}\n`, stderr: '' });

      const ambiguous = await tokentrail(['alerts', 'ack', 'ABCDEF', '--store', store]);
      expect(ambiguous.code).toBe(USAGE);
      expect(ambiguous.stdout).toBe('');
      const lines = ambiguous.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'tokentrail: alert id ABCDEF is ambiguous: 2 alerts start with it; give more digits',
      );
      expect(lines.slice(1).sort()).toEqual([
        expect.stringMatching(new RegExp(`^  ${A}  pending  unexpected-subject  last seen 2026-11-20T10:05`)),
        expect.stringMatching(new RegExp(`^  ${B}  pending  weak-trust  last seen 2026-11-20T10:05`)),
      ]);

      const unknown = await tokentrail(['alerts', 'ack', 'fedcba98', '--store', store]);
      expect(unknown).toMatchObject({ code: USAGE, stdout: '', stderr: 'tokentrail: no alert fedcba98\n' });

      const short = await tokentrail(['alerts', 'ack', 'abcde', '--store', store]);
      expect(short.code).toBe(USAGE);
      expect(short.stderr).toMatch(
        /^tokentrail: alert id abcde is too short: .* at least its first 6 hex digits\n$/,
      );

      const acked = await tokentrail(['alerts', 'list', '--status', 'acked', '--json', '--store', store]);
      const ids = acked.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { alert_id: string }).alert_id);
      expect(ids).toEqual([C]);
    }, 150_000);
  });

  describe('JSON output', () => {
    let cloudTrail: FakeCloudTrail | undefined;
    afterEach(async () => {
      await cloudTrail?.close();
      cloudTrail = undefined;
    });

    it("names backfill's counts in snake_case, as normalize does", async () => {
      const fixture = join(
        root,
        'shared/core/normalize/fixtures/aws-assume-role-with-web-identity/github-actions-success.json',
      );
      const template = (JSON.parse(readFileSync(fixture, 'utf8')) as { record: Record<string, unknown> })
        .record;
      const hourAgo = Math.floor(Date.now() / 1000) - 3600;
      cloudTrail = await startFakeCloudTrail([
        lookupEventOf({
          ...template,
          eventID: '00000000-0000-4000-8000-000000000001',
          eventTime: new Date(hourAgo * 1000).toISOString(),
          eventName: 'AssumeRoleWithWebIdentity',
        }),
        {
          EventId: 'broken-1',
          EventName: 'AssumeRoleWithWebIdentity',
          EventTime: hourAgo - 60,
          CloudTrailEvent: '{"eventVersion":"1.08","eventID":',
        },
      ]);
      const run = await tokentrail(
        ['backfill', 'aws', '--region', 'us-east-1', '--json', '--store', join(directory, 'store.duckdb')],
        {
          TOKENTRAIL_CLOUDTRAIL_ENDPOINT: cloudTrail.url,
          AWS_ACCESS_KEY_ID: 'AKIDFAKEFORTESTS',
          AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      );
      expect(run.code).toBe(3); // one record quarantined
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({
        type: 'summary',
        written: 1,
        quarantined: 1,
        rejected_by: { invalid_json: 1 },
        skipped_by: {},
      });
      expect(Object.keys(summary).filter((key) => /[A-Z]/.test(key))).toEqual([]);
    }, 150_000);
  });

  it('ingest --json names its counts in snake_case, as normalize and backfill do', async () => {
    const run = await tokentrail([
      'ingest',
      '--json',
      '--store',
      join(directory, 'ingest-naming.duckdb'),
      resolve(root, 'examples/aws'),
    ]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toHaveProperty('skipped_by');
    expect(summary).toHaveProperty('rows_by_kind');
    expect(Object.keys(summary).filter((key) => /[A-Z]/.test(key))).toEqual([]);
  }, 90_000);

  it('prints one default for backfill aws --region', async () => {
    const run = await tokentrail(['backfill', 'aws', '--help']);
    const region = run.stdout.slice(run.stdout.indexOf('--region'), run.stdout.indexOf('--since'));
    expect(region.match(/default/g)).toEqual(['default']);
    expect(region.replace(/\s+/g, ' ')).toContain('(default: $AWS_REGION, else us-east-1)');
  }, 90_000);

  it('says the same about a missing or invalid GCP project id in backfill gcp, sinks apply and bigquery init', async () => {
    const commands = [
      ['backfill', 'gcp'],
      ['sinks', 'apply'],
      ['bigquery', 'init'],
    ];
    const expected =
      'a GCP project id such as acme-prod (6 to 30 lowercase letters, digits or hyphens, starting with a letter; not the project number)';
    for (const command of commands) {
      const missing = await tokentrail(command);
      expect([command, missing.code, missing.stderr]).toEqual([
        command,
        USAGE,
        `tokentrail: --project is required: ${expected}\n`,
      ]);
      const number = await tokentrail([...command, '--project', '123456789012']);
      expect([command, number.code, number.stderr]).toEqual([
        command,
        USAGE,
        `tokentrail: --project '123456789012' is not ${expected}\n`,
      ]);
    }
  }, 300_000);

  describe("the SDKs' notices", () => {
    let metadata: LocalServer | undefined;
    afterEach(async () => {
      await metadata?.close();
      metadata = undefined;
    });

    it("keeps google-auth-library's MetadataLookupWarning out of doctor --project, and shows it with TOKENTRAIL_DEBUG", async () => {
      // A metadata server that answers 500: google-auth-library warns, as it does when the probe fails.
      metadata = await listenLocally(
        createServer((_request, response) => {
          response.writeHead(500).end('unavailable');
        }),
      );
      const env = { GCE_METADATA_HOST: metadata.url.replace('http://', '') };
      const run = await tokentrail(['doctor', '--project', 'acme-prod'], env);
      expect(run.stdout).toContain('gcp.audit-logs');
      expect(run.stderr).not.toMatch(/MetadataLookupWarning|Warning/);

      const debug = await tokentrail(['doctor', '--project', 'acme-prod'], { ...env, TOKENTRAIL_DEBUG: '1' });
      expect(debug.stderr).toContain('MetadataLookupWarning');
    }, 150_000);

    it("keeps the AWS SDK's Node version notice out of doctor's output, and shows it with TOKENTRAIL_DEBUG", async () => {
      const env = {
        TOKENTRAIL_AWS_ENDPOINT: 'http://127.0.0.1:9', // nothing listens: each read is skipped
        AWS_ACCESS_KEY_ID: 'AKIDFAKEFORTESTS',
        AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      const run = await tokentrail(['doctor', '--region', 'us-east-1'], env);
      expect(run.stdout).toContain('aws.trail');
      expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|NodeDeprecationWarning|upgrade to node/i);

      // The SDK only gives the notice on a Node older than the one it will require (22).
      const debug = await tokentrail(['doctor', '--region', 'us-east-1'], { ...env, TOKENTRAIL_DEBUG: '1' });
      if (Number(process.versions.node.split('.')[0]) < 22) {
        expect(debug.stderr).toContain('NodeVersionSupportWarning');
      }
    }, 150_000);
  });
});
