import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_SYNC_BUCKET, MODEL_SYNC_SESSION, MODEL_SYNC_SUBJECT } from '../../cli/demo/cross-cloud.js';
import { DEMO_RANGE_DOCUMENTS } from '../../cli/demo/demo-ranges.js';
import { weekOfTraffic } from '../../cli/demo/week-of-traffic.js';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import { loadPolicy } from '../../shared/adapters/policy/load-policy.js';
import { stableId } from '../../shared/adapters/store/stable-id.js';
import { ipRanges } from '../../shared/core/network/ip-ranges.js';
import {
  parseAwsIpRanges,
  parseGcpCloudRanges,
  parseGithubMeta,
} from '../../shared/core/network/published-ranges.js';
import { timeRange } from '../../shared/core/queries/time-range.js';
import { detect } from '../../shared/pipeline/detect.js';
import { IngestRun } from '../../shared/pipeline/ingest.js';
import { notify } from '../../shared/pipeline/notify.js';
import type { AlertChannel } from '../../shared/pipeline/ports.js';
import { decodeStream } from '../../shared/sources/decode-stream.js';

const END = new Date('2026-11-16T09:00:00Z');
const clock = { now: () => END };

/** A week of demo traffic with its planted incidents, through the real decoders, store and rules. */
describe('detection over a generated week', () => {
  let directory: string;
  let store: DuckDbStore;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'tokentrail-scenario-'));
    store = await DuckDbStore.open(join(directory, 'store.duckdb'));
    const run = new IngestRun(store, clock);
    const files = [...weekOfTraffic({ end: END }).files].sort((a, b) => a.path.localeCompare(b.path));
    for (const file of files) {
      await run.consume(
        file.path,
        decodeStream(
          (async function* () {
            yield file.bytes;
          })(),
        ),
      );
    }
    await run.finish();
    expect(run.summary().quarantined).toBe(0);
  });

  afterAll(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const ranges = ipRanges([
    ...parseAwsIpRanges(JSON.stringify(DEMO_RANGE_DOCUMENTS.aws)),
    ...parseGcpCloudRanges(JSON.stringify(DEMO_RANGE_DOCUMENTS.gcp)),
    ...parseGithubMeta(JSON.stringify(DEMO_RANGE_DOCUMENTS.github)),
  ]);

  async function detectWeek(withRanges = true) {
    const policy = await loadPolicy(join(__dirname, '..', '..', 'docs', 'policy.example.yaml'));
    return detect(store, {
      policy,
      range: timeRange({ since: '7d' }, END),
      idOf: stableId,
      ...(withRanges ? { ranges } : {}),
    });
  }

  it('raises exactly the planted incidents the rules cover', async () => {
    const alerts = await detectWeek();
    expect(alerts.map((alert) => [alert.rule, alert.subject, alert.count]).sort()).toEqual(
      [
        ['audience-mismatch', 'repo:acme/checkout:ref:refs/heads/main', 8],
        ['audience-mismatch', null, 2],
        ['unexpected-subject', 'repo:acme/web:ref:refs/heads/<!here> *urgent*\u001b[31m', 1],
        ['unexpected-subject', 'repo:someone-else/payments-api:pull_request', 1],
        ['weak-trust', 'repo:*/payments-api:*', 1],
        ['trust-widened', 'repo:someone-else/payments-api:pull_request', 1],
        ['trust-drift', 'repo:*/payments-api:*', 1],
        ['credential-used-elsewhere', 'repo:acme/payments-api:ref:refs/heads/main', 1],
        [
          'whole-pool-grant',
          'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/*',
          1,
        ],
      ].sort(),
    );
  });

  it("without the published ranges, a runner's rotated address is another network too: the published ranges are what keep it quiet", async () => {
    const alerts = await detectWeek(false);
    const elsewhere = alerts.filter((alert) => alert.rule === 'credential-used-elsewhere');
    expect(elsewhere.length).toBeGreaterThan(1);
    expect(elsewhere.map((alert) => alert.subject)).toContain('repo:acme/payments-api:ref:refs/heads/main');
  });

  it('traces the nightly model sync across clouds to the GitHub subject behind the AWS session', async () => {
    const access = await store.sql(
      `SELECT DISTINCT root_subject, subject, principal FROM access WHERE bucket = '${MODEL_SYNC_BUCKET}'`,
    );
    expect(access.rows).toEqual([
      {
        root_subject: MODEL_SYNC_SUBJECT,
        subject: MODEL_SYNC_SESSION,
        principal: 'ml-uploader@acme-prod.iam.gserviceaccount.com',
      },
    ]);
  });

  it('delivers each incident once: a re-run finds the same incidents and sends nothing new', async () => {
    const sent: string[] = [];
    const channel: AlertChannel = {
      name: 'test',
      send: async (alert, previouslyDelivered) => {
        sent.push(`${alert.rule}${previouslyDelivered > 0 ? ' (update)' : ''}`);
        return { ok: true };
      },
    };
    const first = await store.recordAlerts(await detectWeek(), '2026-11-16T09:00:00.000000Z');
    expect(await notify(store, [channel], first, clock)).toMatchObject({ delivered: 9, failed: 0 });
    const again = await store.recordAlerts(await detectWeek(), '2026-11-16T09:05:00.000000Z');
    expect(again).toEqual([]);
    expect(sent).toHaveLength(9);
    expect((await store.listAlerts('delivered')).length).toBe(9);
  });
});
