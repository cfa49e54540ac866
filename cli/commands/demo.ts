import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parsePolicy } from '../../shared/adapters/policy/load-policy.js';
import { RANGE_FILES, RANGE_KINDS } from '../../shared/adapters/ranges/range-files.js';
import { openStore, type Store } from '../../shared/adapters/store/open-store.js';
import { stableId } from '../../shared/adapters/store/stable-id.js';
import type { Alert } from '../../shared/core/alerts/alert.js';
import { alertParties } from '../../shared/core/alerts/alert-parties.js';
import type { Policy } from '../../shared/core/detect/policy.js';
import type { TrustReportLine } from '../../shared/core/detect/trust-report.js';
import { type IpRanges, ipRanges } from '../../shared/core/network/ip-ranges.js';
import {
  parseAwsIpRanges,
  parseGcpCloudRanges,
  parseGithubMeta,
} from '../../shared/core/network/published-ranges.js';
import { CHAIN, WHO_ACCESSED } from '../../shared/core/queries/named-queries.js';
import type { QueryResult } from '../../shared/core/queries/query-result.js';
import type { TimeRange } from '../../shared/core/queries/time-range.js';
import { terminalSafe } from '../../shared/core/render/terminal-safe.js';
import { timestampOf } from '../../shared/core/time/timestamp.js';
import { detect } from '../../shared/pipeline/detect.js';
import { answer } from '../../shared/pipeline/query.js';
import { DEFAULT_LIMITS } from '../../shared/sources/limits.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { ingestInputs } from '../consume-inputs.js';
import { MODEL_SYNC_BUCKET } from '../demo/cross-cloud.js';
import { DEMO_LEARNING_DAYS, DEMO_RUN_POLICY_YAML } from '../demo/demo-policy.js';
import { DEMO_RANGE_DOCUMENTS } from '../demo/demo-ranges.js';
import { weekOfTraffic } from '../demo/week-of-traffic.js';
import { DEMO_DIRECTORY, DEMO_POLICY, DEMO_RANGES, DEMO_STORE } from '../demo-paths.js';
import { fittedTable } from '../fitted-table.js';
import { detectionSteps } from './detect.js';
import { storeTrustReport } from './trust-scan.js';

/**
 * `tokentrail demo` (what `npm start` runs): generates a week of an organisation's federation
 * traffic ending now, in the files the clouds deliver, ingests them into a DuckDB file of its own
 * (rebuilt each run, so it never mixes with a real store) and prints who accessed which bucket.
 * Every command it suggests names the demo's store, policy, ranges and week, so pasted later it
 * shows what the demo showed. Its tables fit `tableWidth` (see tableWidth; null: every cell whole).
 */
export async function demoCommand(
  options: { seed?: number; tableWidth: number | null },
  io: CliIo,
): Promise<number> {
  // Whole seconds, so the week prints as a short --since/--until.
  const traffic = weekOfTraffic({
    end: new Date(Math.floor(io.now().getTime() / 1000) * 1000),
    seed: options.seed,
  });
  const week = { since: timestampOf(traffic.start), until: timestampOf(traffic.end) };
  const weekFlags = `--since ${flagTime(traffic.start)} --until ${flagTime(traffic.end)}`;
  await rm(DEMO_DIRECTORY, { recursive: true, force: true });
  for (const file of traffic.files) {
    const path = join(DEMO_DIRECTORY, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.bytes);
  }
  await rm(DEMO_STORE, { force: true });
  await rm(`${DEMO_STORE}.wal`, { force: true });

  const store = await openStore({ kind: 'duckdb', path: DEMO_STORE });
  try {
    const { summary, failed } = await ingestInputs(
      store,
      [DEMO_DIRECTORY],
      { limits: DEFAULT_LIMITS, progress: true },
      io,
    );
    const { result } = await answer(
      store,
      { now: () => io.now() },
      { query: WHO_ACCESSED, patterns: { bucket: '*' }, ...week },
    );
    await writeFile(DEMO_POLICY, DEMO_RUN_POLICY_YAML);
    const policy = parsePolicy(DEMO_RUN_POLICY_YAML, DEMO_POLICY);
    const ranges = await writeDemoRanges();
    const alerts = await detectDaily(store, policy, week, ranges);
    const chain = await latestChain(store, week, io);
    const trust = await storeTrustReport(store, policy, week);
    const tokentrail = 'npx tokentrail';
    const table = (shown: QueryResult) =>
      fittedTable(shown, options.tableWidth, { values: 'its command with --json' });

    io.stdout.write(
      `A week of Acme's federation traffic (${traffic.files.length} files in ${DEMO_DIRECTORY}/: CloudTrail, EventBridge, Log Router, Pub/Sub)\n` +
        `ingested into ${store.description}: ${summary.written} rows, ${summary.duplicates} duplicate deliveries ignored, ${summary.quarantined} quarantined.\n\n` +
        `Who accessed which bucket, the week (UTC; ${tokentrail} query who-accessed --bucket '*' --store ${DEMO_STORE} ${weekFlags}):\n\n${table(result)}\n` +
        `Alerts, from a detect run per day against ${DEMO_POLICY} (docs/policy.example.yaml with learning shortened to ${DEMO_LEARNING_DAYS} days for a one-week demo; ${tokentrail} alerts list --store ${DEMO_STORE}):\n\n${table(alertTable(alerts))}\n` +
        `A chain across clouds, the last nightly model sync from ${terminalSafe(String(chain.rows[0]?.root_subject ?? '-'))} (${tokentrail} query chain --bucket ${MODEL_SYNC_BUCKET} --store ${DEMO_STORE} ${weekFlags}):\n\n${table(chain)}\n` +
        `Trust, as the week's trust changes left it (${tokentrail} trust scan --store ${DEMO_STORE} --policy ${DEMO_POLICY} ${weekFlags}):\n\n${table(trustTable(trust))}\n` +
        `Planted incidents:\n${traffic.incidents.map((incident) => `  - ${incident.title}\n`).join('')}\n` +
        `Try (the last prints the alerts above again, one JSON line each):\n` +
        `  ${tokentrail} query who-accessed --bucket 'acme-prod-*' --store ${DEMO_STORE} ${weekFlags}\n` +
        `  ${tokentrail} query principals --subject 'repo:*' --store ${DEMO_STORE} ${weekFlags}\n` +
        `  ${tokentrail} query failures --store ${DEMO_STORE} ${weekFlags}\n` +
        `  ${tokentrail} ui --store ${DEMO_STORE} ${weekFlags}\n` +
        `  ${tokentrail} detect --policy ${DEMO_POLICY} --store ${DEMO_STORE} --ranges ${DEMO_RANGES} ${weekFlags} --step 1d\n`,
    );
    return failed || summary.quarantined > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    await store.close();
  }
}

/** A time as --since and --until take it, to the second (the demo's week is in whole seconds). */
function flagTime(time: Date): string {
  return time.toISOString().replace(/\.\d+Z$/, 'Z');
}

function alertTable(alerts: readonly Alert[]): QueryResult {
  return {
    columns: ['severity', 'rule', 'subject', 'principal', 'count', 'first_seen'],
    rows: alerts.map((alert) => ({
      severity: alert.severity,
      rule: alert.rule,
      ...alertParties(alert),
      count: alert.count,
      first_seen: alert.first_seen,
    })),
  };
}

/** The demo world's published ranges, written where `detect --ranges` reads them, and parsed. */
async function writeDemoRanges(): Promise<IpRanges> {
  await mkdir(DEMO_RANGES, { recursive: true });
  const texts = {
    aws: JSON.stringify(DEMO_RANGE_DOCUMENTS.aws, null, 2),
    gcp: JSON.stringify(DEMO_RANGE_DOCUMENTS.gcp, null, 2),
    github: JSON.stringify(DEMO_RANGE_DOCUMENTS.github, null, 2),
  };
  for (const kind of RANGE_KINDS) await writeFile(join(DEMO_RANGES, RANGE_FILES[kind]), `${texts[kind]}\n`);
  return ipRanges([
    ...parseAwsIpRanges(texts.aws),
    ...parseGcpCloudRanges(texts.gcp),
    ...parseGithubMeta(texts.github),
  ]);
}

/** The last chain into the model-serving bucket, hop by hop, narrowed for the demo's screen. */
async function latestChain(store: Store, week: TimeRange, io: CliIo): Promise<QueryResult> {
  const { result } = await answer(
    store,
    { now: () => io.now() },
    { query: CHAIN, patterns: { subject: '*', bucket: MODEL_SYNC_BUCKET }, ...week },
  );
  const last = result.rows.at(-1)?.chain;
  return {
    columns: ['hop', 'cloud', 'identity', 'action', 'event_time'],
    rows: result.rows.filter((row) => row.chain === last),
  };
}

/** The trust scan, narrowed for the demo's screen: the verdict, whom it concerns, why, and who used it. */
function trustTable(lines: readonly TrustReportLine[]): QueryResult {
  return {
    columns: ['verdict', 'principal', 'subjects_used', 'never_used', 'reasons'],
    rows: lines.map((line) => ({
      verdict: line.verdict,
      principal: line.principal,
      subjects_used: line.used.length,
      never_used: line.unused.length === 0 ? null : line.unused.join(' '),
      reasons: line.reasons.length === 0 ? null : line.reasons.join('; '),
    })),
  };
}

/**
 * What a deployment does on a schedule, one day at a time (`detect --step 1d`): each run sees the
 * store's history before its window as the baseline, and records its incidents in the alerts table.
 */
async function detectDaily(
  store: Store,
  policy: Policy,
  week: TimeRange,
  ranges: IpRanges,
): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const range of detectionSteps(week, 86_400_000)) {
    const found = await detect(store, {
      policy,
      range,
      idOf: stableId,
      ranges,
      store: store.description,
    });
    await store.recordAlerts(found, range.until);
    alerts.push(...found);
  }
  return alerts;
}
