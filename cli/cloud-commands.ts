import { type Command, InvalidArgumentError, Option } from 'commander';
import type { BackfillDependencies, BackfillFlags } from './commands/backfill.js';
import type { DoctorFlags } from './commands/doctor.js';
import { DEFAULT_SINK, DEFAULT_TOPIC } from './sink-defaults.js';
import type { CommandContext } from './store-commands.js';

// Each command's implementation is imported when it runs, so start-up loads no cloud SDK.

const AWS_HELP = `
Reads AssumeRoleWithWebIdentity events (successes and failures) through CloudTrail LookupEvents,
newest first, at most 2 requests a second per region (the API's limit), into the store.
LookupEvents covers the last 90 days of management events only: S3 data events (GetObject,
PutObject) are never in it; ingest those from the trail's bucket with 'tokentrail ingest s3://BUCKET/AWSLogs/'.
Calls to the global STS endpoint are logged in us-east-1, calls to a regional endpoint in that region:
name every region your workloads use.

Progress is saved after every page in a checkpoint file (default .tokentrail/backfill-aws-REGION.json,
or under $TOKENTRAIL_CHECKPOINT_DIR): after an interruption, run again with --resume to continue the same
window where it stopped. Credentials come from the AWS default chain (environment, profile, SSO, role).
Exit status: 0 done, nothing quarantined; 3 done, some records quarantined; 1 an error (resumable).

Examples:
  $ tokentrail backfill aws --since 30d
  $ tokentrail backfill aws --region us-east-1 --region eu-west-1 --since 2025-11-01 --until 2025-11-08
  $ tokentrail backfill aws --resume
  $ tokentrail backfill aws --since 7d --store bigquery://my-project/tokentrail --json`;

const GCP_HELP = `
Reads the project's federation audit logs (STS ExchangeToken, iamcredentials GenerateAccessToken and
friends, GCS data access: the Log Router sink's filter) through Cloud Logging entries.list, oldest
first, at most 1 request a second (the API's quota is 60 a minute), retrying 429 and 5xx with backoff.
Data Access audit logs must have been enabled at the time, and stay 30 days in the _Default bucket.
Credentials: Application Default Credentials (gcloud auth application-default login, or the runtime's
service account) with roles/logging.privateLogViewer, which Data Access logs need; no keys.

Progress is saved after every page in a checkpoint file (default .tokentrail/backfill-gcp-PROJECT.json,
or under $TOKENTRAIL_CHECKPOINT_DIR): after an interruption, run again with --resume.
Exit status: 0 done, nothing quarantined; 3 done, some records quarantined; 1 an error (resumable).

Examples:
  $ tokentrail backfill gcp --project acme-prod --since 7d
  $ tokentrail backfill gcp --project acme-prod --since 2025-11-01 --until 2025-11-02T12:00:00Z
  $ tokentrail backfill gcp --project acme-prod --resume`;

const DOCTOR_HELP = `
Checks the configuration that silently breaks a deployment, and prints for each check
ok / warning / failed / skipped with the exact command or setting that fixes it:
  AWS  the trail is logging; it records AssumeRoleWithWebIdentity (a read-only management
       event) and the object access in each --buckets bucket (S3 data events); the
       EventBridge rule (--rule, else rules named tokentrail*) matches aws.sts
       AssumeRoleWithWebIdentity and is ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
  GCP  Data Access audit logs are on for sts and iamcredentials (ADMIN_READ) and storage
       (DATA_READ, DATA_WRITE); the Log Router sink (--sink) is enabled, has tokentrail's
       filter, and its writer identity may publish to its Pub/Sub topic.
An empty event stream is not evidence of no activity: a failed check here looks the same.

Clouds: those named with --aws / --gcp; by default AWS when --region, AWS_REGION or --trail
is given and GCP when --project is given.
Permissions: read-only. AWS: cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors,
events:DescribeRule, ListRules. GCP: roles/iam.securityReviewer and roles/logging.viewer.
A read that is denied skips its check (with the reason); the other checks still run.
Credentials: each cloud's default chain (AWS profile or environment, Application Default
Credentials). TOKENTRAIL_AWS_ENDPOINT / TOKENTRAIL_GCP_ENDPOINT point the API calls at a
local stand-in (tests); no real credentials are sent there.

Output: one line per check and its fix (--json: one {check, status, target, message, fix}
object per line, then {"type":"summary", ok, warn, fail, skipped, note}).
Exit status: 0 no check failed (warnings and skips allowed), 4 some check failed,
1 usage or I/O error, or no check could run at all.

Examples:
  $ tokentrail doctor --region us-east-1 --trail org-trail --buckets acme-prod-data,acme-artifacts
  $ tokentrail doctor --project acme-prod --sink tokentrail-audit
  $ tokentrail doctor --aws --gcp --region eu-west-1 --project acme-prod --sink tokentrail-audit --json`;

const BACKFILL_STORE_HELP =
  'where rows go: a DuckDB file path (or duckdb:PATH) or bigquery://PROJECT/DATASET (default: $TOKENTRAIL_STORE, else .tokentrail/tokentrail.duckdb)';

/** Repeated --region flags, each checked. */
function regions(value: string, previous: string[]): string[] {
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) {
    throw new InvalidArgumentError('expected an AWS region such as us-east-1');
  }
  return [...previous, value];
}

function withBackfillOptions(command: Command): Command {
  return command
    .option('--since <time>', 'from this event time on: 7d, 12h, 2w, a date or a UTC timestamp (default: 7d)')
    .option('--until <time>', 'up to this event time (default: now)')
    .addOption(new Option('--store <uri>', BACKFILL_STORE_HELP))
    .option('--checkpoint <file>', 'where progress is saved (default: one file per region or project)')
    .option('--resume', 'continue the unfinished window saved in the checkpoint', false)
    .option('--json', 'print the summary as one JSON object per source', false)
    .option('--no-progress', 'no progress line on a terminal');
}

/** `backfill aws` and `backfill gcp`: read past audit events from the clouds' own APIs into the store. */
export function registerBackfillCommand(
  program: Command,
  { io, setExit }: CommandContext,
  dependencies?: BackfillDependencies,
): void {
  const backfill = program
    .command('backfill')
    .description("load past federation events from the clouds' audit log APIs into the store (resumable)");

  withBackfillOptions(
    backfill
      .command('aws')
      .description('AssumeRoleWithWebIdentity events from CloudTrail LookupEvents (last 90 days)')
      .addOption(
        new Option('--region <region>', 'a region to read; repeat for more')
          .argParser(regions)
          .default([], '$AWS_REGION, else us-east-1'),
      ),
  )
    .addHelpText('after', AWS_HELP)
    .action(async (flags: BackfillFlags & { region: string[] }) => {
      const { backfillAwsCommand } = await import('./commands/backfill.js');
      setExit(await backfillAwsCommand(flags, io, dependencies));
    });

  withBackfillOptions(
    backfill
      .command('gcp')
      .description("the project's federation audit log entries from Cloud Logging entries.list")
      .option('--project <id>', 'the GCP project id whose audit logs to read (required)'),
  )
    .addHelpText('after', GCP_HELP)
    .action(async (flags: BackfillFlags & { project?: string }) => {
      const { backfillGcpCommand } = await import('./commands/backfill.js');
      setExit(await backfillGcpCommand(flags, io, dependencies));
    });
}

export function registerDoctorCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('doctor')
    .description(
      'check the cloud configuration that silently breaks a deployment, with the fix for each problem',
    )
    .option('--aws', 'check AWS (CloudTrail trail, EventBridge rule)')
    .option('--gcp', 'check GCP (audit configs, Log Router sink, Pub/Sub topic)')
    .option('--project <id>', 'GCP project (default with --gcp: $GOOGLE_CLOUD_PROJECT)')
    .option('--region <region>', 'AWS region (default: $AWS_REGION)')
    .option('--trail <name>', 'CloudTrail trail name or ARN (default: every trail in the region)')
    .option(
      '--rule <name>',
      'EventBridge rule for AssumeRoleWithWebIdentity (default: rules named tokentrail*)',
    )
    .option('--buckets <list>', 'S3 buckets whose object access must be logged, comma-separated')
    .option('--sink <name>', 'Log Router sink that feeds tokentrail')
    .option('--json', 'one JSON object per check, then a summary')
    .addHelpText('after', DOCTOR_HELP)
    .action(async (flags: DoctorFlags) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      setExit(await doctorCommand(flags, io));
    });
}

export function registerSinksCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('sinks')
    .description('set up the GCP Log Router sink that feeds the pipeline')
    .command('apply')
    .description('create or update the Log Router sink for the federation audit logs (idempotent)')
    .option('--project <id>', 'GCP project whose audit logs to route (required)')
    .option('--sink <name>', 'sink name', DEFAULT_SINK)
    .addOption(
      new Option(
        '--topic <topic>',
        `Pub/Sub topic id or projects/P/topics/T (default: projects/PROJECT/topics/${DEFAULT_TOPIC})`,
      ).conflicts('destination'),
    )
    .addOption(
      new Option('--destination <uri>', 'any Log Router destination, e.g. storage.googleapis.com/BUCKET'),
    )
    .option('--grant', 'also give the writer identity roles/pubsub.publisher on the topic', false)
    .option('--dry-run', 'say what would change, change nothing', false)
    .addHelpText(
      'after',
      `
The filter is tokentrail's (shared/core/queries/log-router-filter.ts): STS ExchangeToken,
iamcredentials token methods, Cloud Storage object access and IAM SetIAMPolicy audit logs. A sink that
already routes exactly that to the destination is left alone; otherwise it is updated in place, with
a unique writer identity. Credentials: Application Default Credentials (no keys); creating a sink needs
roles/logging.configWriter, --grant needs permission to set the topic's IAM policy.
infra/gcp (Terraform) creates the same sink; use one or the other.
Exit status: 0 done (or nothing to do), 1 on errors.

Examples:
  $ tokentrail sinks apply --project my-project --dry-run
  $ tokentrail sinks apply --project my-project --grant
  $ tokentrail sinks apply --project my-project --destination storage.googleapis.com/my-audit-archive`,
    )
    .action(
      async (flags: {
        project?: string;
        sink: string;
        topic?: string;
        destination?: string;
        grant: boolean;
        dryRun: boolean;
      }) => {
        const { sinksApplyCommand } = await import('./commands/sinks.js');
        setExit(await sinksApplyCommand(flags, io));
      },
    );
}
