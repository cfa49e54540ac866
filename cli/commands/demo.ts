import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parsePolicy } from '../../shared/adapters/policy/load-policy.js';
import { RANGE_FILES, RANGE_KINDS } from '../../shared/adapters/ranges/range-files.js';
import { openStore, type Store } from '../../shared/adapters/store/open-store.js';
import { stableId } from '../../shared/adapters/store/stable-id.js';
import type { Alert } from '../../shared/core/alerts/alert.js';
import type { TrustReportLine } from '../../shared/core/detect/trust-report.js';
import { type IpRanges, ipRanges } from '../../shared/core/network/ip-ranges.js';
import {
  parseAwsIpRanges,
  parseGcpCloudRanges,
  parseGithubMeta,
} from '../../shared/core/network/published-ranges.js';
import { CHAIN, WHO_ACCESSED } from '../../shared/core/queries/named-queries.js';
import type { QueryResult } from '../../shared/core/queries/query-result.js';
import { renderTable } from '../../shared/core/render/query-output.js';
import { terminalSafe } from '../../shared/core/render/terminal-safe.js';
import { timestampOf } from '../../shared/core/time/timestamp.js';
import { detect } from '../../shared/pipeline/detect.js';
import { answer } from '../../shared/pipeline/query.js';
import { DEFAULT_LIMITS } from '../../shared/sources/limits.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { ingestInputs } from '../consume-inputs.js';
import { MODEL_SYNC_BUCKET } from '../demo/cross-cloud.js';
import { DEMO_POLICY_YAML } from '../demo/demo-policy.js';
import { DEMO_RANGE_DOCUMENTS } from '../demo/demo-ranges.js';
import { weekOfTraffic } from '../demo/week-of-traffic.js';
import { DEMO_DIRECTORY, DEMO_POLICY, DEMO_RANGES, DEMO_STORE } from '../demo-paths.js';
import { storeTrustReport } from './trust-scan.js';

/**
 * `tokentrail demo` (what `npm start` runs): generates a week of an organisation's federation
 * traffic ending now, in the files the clouds deliver, ingests them into a DuckDB file of its own
 * (rebuilt each run, so it never mixes with a real store) and prints who accessed which bucket.
 */
export async function demoCommand(options: { seed?: number }, io: CliIo): Promise<number> {
  const traffic = weekOfTraffic({ end: io.now(), seed: options.seed });
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
      { query: WHO_ACCESSED, patterns: { bucket: '*' } },
    );
    await writeFile(DEMO_POLICY, DEMO_POLICY_YAML);
    const ranges = await writeDemoRanges();
    const alerts = await detectDaily(store, traffic.start, traffic.end, ranges);
    const chain = await latestChain(store, io);
    const trust = await storeTrustReport(store, parsePolicy(DEMO_POLICY_YAML, DEMO_POLICY), {
      since: timestampOf(traffic.start),
      until: timestampOf(traffic.end),
    });

    io.stdout.write(
      `A week of Acme's federation traffic (${traffic.files.length} files in ${DEMO_DIRECTORY}/: CloudTrail, EventBridge, Log Router, Pub/Sub)\n` +
        `ingested into ${store.description}: ${summary.written} rows, ${summary.duplicates} duplicate deliveries ignored, ${summary.quarantined} quarantined.\n\n` +
        `Who accessed which bucket, last 7 days (UTC):\n\n${renderTable(result)}\n` +
        `Alerts, from a detect run per day against ${DEMO_POLICY} (learning shortened to ${DEMO_LEARNING_DAYS} days for a one-week demo; tokentrail alerts list --store ${DEMO_STORE}):\n\n${renderTable(alertTable(alerts))}\n` +
        `A chain across clouds, the last nightly model sync from ${terminalSafe(String(chain.rows[0]?.root_subject ?? '-'))} (tokentrail query chain --bucket ${MODEL_SYNC_BUCKET} --store ${DEMO_STORE}):\n\n${renderTable(chain)}\n` +
        `Trust, as the week's trust changes left it (tokentrail trust scan --store ${DEMO_STORE} --policy ${DEMO_POLICY}):\n\n${renderTable(trustTable(trust))}\n` +
        `Planted incidents:\n${traffic.incidents.map((incident) => `  - ${incident.title}\n`).join('')}\n` +
        `Try:\n` +
        `  npx tokentrail query who-accessed --bucket 'acme-prod-*' --store ${DEMO_STORE}\n` +
        `  npx tokentrail query principals --subject 'repo:*' --store ${DEMO_STORE}\n` +
        `  npx tokentrail query failures --store ${DEMO_STORE}\n` +
        `  npx tokentrail ui --store ${DEMO_STORE}\n` +
        `  npx tokentrail trust scan --store ${DEMO_STORE} --policy ${DEMO_POLICY}\n` +
        `  npx tokentrail detect --policy ${DEMO_POLICY} --store ${DEMO_STORE} --ranges ${DEMO_RANGES} --webhook slack=https://hooks.slack.com/services/...\n`,
    );
    return failed || summary.quarantined > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    await store.close();
  }
}

function alertTable(alerts: readonly Alert[]): QueryResult {
  return {
    columns: ['severity', 'rule', 'subject', 'principal', 'count', 'first_seen'],
    rows: alerts.map(({ severity, rule, subject, principal, count, first_seen }) => ({
      severity,
      rule,
      subject,
      principal,
      count,
      first_seen,
    })),
  };
}

/** A week is short: the learning rules judge days 4 to 7 against the days before them. */
const DEMO_LEARNING_DAYS = 3;

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
async function latestChain(store: Store, io: CliIo): Promise<QueryResult> {
  const { result } = await answer(
    store,
    { now: () => io.now() },
    { query: CHAIN, patterns: { subject: '*', bucket: MODEL_SYNC_BUCKET } },
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
 * What a deployment does on a schedule, one day at a time: each run sees the store's history
 * before its window as the baseline, and records its incidents in the alerts table.
 */
async function detectDaily(store: Store, start: Date, end: Date, ranges: IpRanges): Promise<Alert[]> {
  const policy = parsePolicy(DEMO_POLICY_YAML, DEMO_POLICY);
  const learning = { learningDays: DEMO_LEARNING_DAYS };
  const demoPolicy = {
    ...policy,
    rules: {
      ...policy.rules,
      'first-seen-subject': { ...policy.rules['first-seen-subject'], ...learning },
      'subject-new-bucket': { ...policy.rules['subject-new-bucket'], ...learning },
    },
  };
  const alerts: Alert[] = [];
  for (let day = start.getTime(); day < end.getTime(); day += 86_400_000) {
    const range = {
      since: timestampOf(new Date(day)),
      until: timestampOf(new Date(Math.min(day + 86_400_000, end.getTime()))),
    };
    const found = await detect(store, { policy: demoPolicy, range, idOf: stableId, ranges });
    await store.recordAlerts(found, range.until);
    alerts.push(...found);
  }
  return alerts;
}
