import {
  type BackfillOutcome,
  type BackfillProgress,
  backfillCheckpointFile,
  type PageSource,
  runBackfill,
} from '../../shared/adapters/backfill/backfill-run.js';
import { checkpointPath } from '../../shared/adapters/backfill/checkpoint-file.js';
import {
  cloudLoggingPages,
  cloudLoggingSource,
  DATA_ACCESS_RETENTION_DAYS,
  ENTRIES_LIST_PER_SECOND,
} from '../../shared/adapters/backfill/cloud-logging-entries.js';
import {
  cloudTrailPages,
  cloudTrailSource,
  LOOKUP_EVENT_NAME,
  LOOKUP_EVENTS_PER_SECOND,
  LOOKUP_RETENTION_DAYS,
} from '../../shared/adapters/backfill/cloudtrail-lookup.js';
import { type Pacing, REAL_PACING, RequestPacer } from '../../shared/adapters/backfill/request-pacer.js';
import { openStore } from '../../shared/adapters/store/open-store.js';
import { parseStoreUri } from '../../shared/adapters/store/store-uri.js';
import { type TimeRange, timeRange } from '../../shared/core/queries/time-range.js';
import { DEFAULT_LIMITS } from '../../shared/sources/limits.js';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { settingsOf } from '../cli-settings.js';
import { gcpProjectId } from '../gcp-project.js';
import { ingestSummaryFields, ingestSummaryLines } from '../ingest-summary.js';
import { StatusLine } from '../status-line.js';

/** What tests replace: the clock and sleep behind request pacing and retries, and the SDK's attempts. */
export interface BackfillDependencies {
  readonly pacing: Pacing;
  readonly random: () => number;
  /** AWS SDK attempts per request; undefined keeps the SDK's default (3, with backoff). */
  readonly awsMaxAttempts?: number;
}

const REAL_DEPENDENCIES: BackfillDependencies = { pacing: REAL_PACING, random: Math.random };

const DAY_MS = 86_400_000;

export interface BackfillFlags {
  since?: string;
  until?: string;
  store?: string;
  checkpoint?: string;
  resume: boolean;
  json: boolean;
  progress: boolean;
}

/** One source to read: a region of CloudTrail or a Cloud Logging project. */
interface BackfillJob {
  readonly source: string;
  readonly describe: string;
  readonly checkpointPath: string;
  readonly pages: PageSource;
  /** How progress reads: LookupEvents goes back in time, entries.list forward. */
  readonly direction: 'back to' | 'up to';
}

/** The status line of one backfill job: pages, events and rows so far, and how far it reached. */
function progressLine(io: CliIo, flags: BackfillFlags, job: BackfillJob) {
  const line = new StatusLine(io.stderr, flags.progress && io.stderrIsTTY && !flags.json);
  return {
    draw: (progress: BackfillProgress) =>
      line.draw(
        () =>
          `${job.describe}: ${progress.pages} pages, ${progress.events} events, ${progress.rows} rows, ${job.direction} ${progress.reached ?? '-'}`,
      ),
    finish: () => line.finish(),
  };
}

function summaryText(job: BackfillJob, outcome: BackfillOutcome, store: string, seconds: number): string {
  const state = outcome.complete ? '' : ' (stopped early)';
  return (
    `backfilled ${job.describe}, ${outcome.window.since} to ${outcome.window.until}${state}: ` +
    `${outcome.pages} pages, ${outcome.events} events into ${store} in ${seconds.toFixed(1)} s\n` +
    ingestSummaryLines(outcome.summary)
  );
}

function daysBefore(now: Date, timestamp: string): number {
  return (now.getTime() - Date.parse(timestamp)) / DAY_MS;
}

async function runJobs(
  jobs: readonly BackfillJob[],
  window: TimeRange,
  flags: BackfillFlags,
  io: CliIo,
  hints: readonly string[],
): Promise<number> {
  const say = (type: 'notice' | 'error', source: string, message: string) =>
    io.stderr.write(
      flags.json
        ? `${JSON.stringify({ type, source, message })}\n`
        : `tokentrail backfill: ${type === 'error' ? '' : 'note: '}${message}\n`,
    );
  const store = await openStore(parseStoreUri(flags.store ?? settingsOf(io).store), {
    bigQueryEndpoint: settingsOf(io).endpoints.bigquery,
  });
  let exit: number = EXIT.ok;
  try {
    for (const job of jobs) {
      const started = Date.now();
      const progress = progressLine(io, flags, job);
      const outcome = await runBackfill({
        source: job.source,
        pages: job.pages,
        store,
        clock: { now: () => io.now() },
        checkpoint: backfillCheckpointFile(job.checkpointPath),
        resume: flags.resume,
        window,
        notice: (message) => {
          progress.finish();
          say('notice', job.source, message);
        },
        onPage: (state) => progress.draw(state),
      });
      progress.finish();
      const seconds = (Date.now() - started) / 1000;
      io.stdout.write(
        flags.json
          ? `${JSON.stringify({
              type: 'summary',
              source: job.source,
              store: store.description,
              since: outcome.window.since,
              until: outcome.window.until,
              complete: outcome.complete,
              resumed: outcome.resumed,
              reached: outcome.reached,
              pages: outcome.pages,
              events: outcome.events,
              checkpoint: job.checkpointPath,
              ...ingestSummaryFields(outcome.summary),
            })}\n`
          : summaryText(job, outcome, store.description, seconds),
      );
      if (outcome.error) {
        exit = EXIT.failure;
        say('error', job.source, `${job.describe} stopped: ${outcome.error.message}`);
        say(
          'notice',
          job.source,
          `the pages read are stored; to continue${outcome.reached ? ` from ${outcome.reached}` : ''}, run the same command with --resume (checkpoint ${job.checkpointPath})`,
        );
      } else if (outcome.summary.quarantined > 0 && exit === EXIT.ok) {
        exit = EXIT.rejected;
      }
    }
  } finally {
    await store.close();
  }
  for (const hint of hints) say('notice', jobs[0]?.source ?? '', hint);
  return exit;
}

function windowOf(flags: BackfillFlags, io: CliIo): TimeRange {
  return timeRange({ since: flags.since, until: flags.until }, io.now(), '7d');
}

/** `tokentrail backfill aws`: CloudTrail LookupEvents of each region into the store. */
export async function backfillAwsCommand(
  flags: BackfillFlags & { region: string[] },
  io: CliIo,
  dependencies: BackfillDependencies = REAL_DEPENDENCIES,
): Promise<number> {
  const regions = [...new Set(flags.region)];
  if (regions.length === 0) regions.push(io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || 'us-east-1');
  if (flags.checkpoint && regions.length > 1) {
    throw new UsageError('--checkpoint names one file: use it with a single --region');
  }
  const window = windowOf(flags, io);
  const endpoint = settingsOf(io).endpoints.cloudtrail;
  const jobs = regions.map(
    (name): BackfillJob => ({
      source: cloudTrailSource(name),
      describe: `CloudTrail LookupEvents ${name} (${LOOKUP_EVENT_NAME})`,
      checkpointPath:
        flags.checkpoint ?? checkpointPath(settingsOf(io).checkpointDir, `backfill-aws-${name}`),
      direction: 'back to',
      pages: cloudTrailPages({
        region: name,
        ...(endpoint ? { endpoint } : {}),
        ...(dependencies.awsMaxAttempts ? { maxAttempts: dependencies.awsMaxAttempts } : {}),
        // The limit is per account and region: one pacer per region.
        pacer: new RequestPacer(LOOKUP_EVENTS_PER_SECOND, dependencies.pacing),
        limits: DEFAULT_LIMITS,
      }),
    }),
  );
  const hints = [
    "S3 data events (GetObject, PutObject) are not in LookupEvents: ingest them from the trail's bucket, e.g. tokentrail ingest s3://BUCKET/AWSLogs/",
  ];
  if (daysBefore(io.now(), window.since) > LOOKUP_RETENTION_DAYS) {
    hints.push(
      `LookupEvents only reaches ${LOOKUP_RETENTION_DAYS} days back: older exchanges are only in the trail's S3 files`,
    );
  }
  return runJobs(jobs, window, flags, io, hints);
}

/** `tokentrail backfill gcp`: Cloud Logging entries.list of a project into the store. */
export async function backfillGcpCommand(
  flags: BackfillFlags & { project?: string },
  io: CliIo,
  dependencies: BackfillDependencies = REAL_DEPENDENCIES,
): Promise<number> {
  const project = gcpProjectId(flags.project);
  const window = windowOf(flags, io);
  const endpoint = settingsOf(io).endpoints.logging;
  const job: BackfillJob = {
    source: cloudLoggingSource(project),
    describe: `Cloud Logging projects/${project}`,
    checkpointPath:
      flags.checkpoint ?? checkpointPath(settingsOf(io).checkpointDir, `backfill-gcp-${project}`),
    direction: 'up to',
    pages: cloudLoggingPages({
      project,
      ...(endpoint ? { endpoint } : {}),
      pacer: new RequestPacer(ENTRIES_LIST_PER_SECOND, dependencies.pacing),
      limits: DEFAULT_LIMITS,
      sleep: dependencies.pacing.sleep,
      nowMs: dependencies.pacing.nowMs,
      random: dependencies.random,
    }),
  };
  const hints: string[] = [];
  if (daysBefore(io.now(), window.since) > DATA_ACCESS_RETENTION_DAYS) {
    hints.push(
      `Data Access audit logs stay ${DATA_ACCESS_RETENTION_DAYS} days in the _Default bucket unless its retention was raised: older entries may be gone`,
    );
  }
  return runJobs([job], window, flags, io, hints);
}
