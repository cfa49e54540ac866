import type { Command } from 'commander';
import { type DoctorTargets, runDoctor } from '../../shared/adapters/doctor/run-doctor.js';
import { countStatuses } from '../../shared/core/doctor/check-result.js';
import { renderReport, renderReportNdjson } from '../../shared/core/doctor/render-checks.js';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import type { CommandContext } from '../store-commands.js';

/** Exit status when the checks ran and at least one failed. */
export const EXIT_CHECK_FAILED = 4;

export interface DoctorFlags {
  readonly aws?: boolean;
  readonly gcp?: boolean;
  readonly project?: string;
  readonly region?: string;
  readonly trail?: string;
  readonly rule?: string;
  readonly buckets?: string;
  readonly sink?: string;
  readonly json?: boolean;
}

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

function isTty(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

function bucketList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((bucket) =>
      bucket
        .trim()
        .replace(/^s3:\/\//, '')
        .replace(/\/+$/, ''),
    )
    .filter((bucket) => bucket !== '');
}

/** A trail ARN carries its region: arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME. */
function regionOfTrailArn(trail: string | undefined): string | undefined {
  return /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):/.exec(trail ?? '')?.[1];
}

/** Which clouds to check and with what, from the flags and the environment; throws UsageError. */
export function doctorTargets(flags: DoctorFlags, env: CliIo['env']): DoctorTargets {
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionOfTrailArn(flags.trail);
  const named = flags.aws === true || flags.gcp === true;
  const wantAws = named
    ? flags.aws === true
    : flags.region !== undefined || env.AWS_REGION !== undefined || flags.trail !== undefined;
  const wantGcp = named ? flags.gcp === true : flags.project !== undefined;
  const awsOnly = [flags.trail && '--trail', flags.rule && '--rule', flags.buckets && '--buckets'].filter(
    Boolean,
  );
  if (!wantAws && awsOnly.length > 0) {
    throw new UsageError(
      `${awsOnly.join(', ')} ${awsOnly.length === 1 ? 'is an AWS option' : 'are AWS options'}: add --aws and a region`,
    );
  }
  if (!wantGcp && flags.sink !== undefined) throw new UsageError('--sink is a GCP option: add --project P');
  const targets: { aws?: DoctorTargets['aws']; gcp?: DoctorTargets['gcp'] } = {};
  if (wantAws) {
    if (!region) throw new UsageError('the AWS checks need a region: --region R or AWS_REGION');
    targets.aws = {
      region,
      buckets: bucketList(flags.buckets),
      ...(env.TOKENTRAIL_AWS_ENDPOINT ? { endpoint: env.TOKENTRAIL_AWS_ENDPOINT } : {}),
      ...(flags.trail === undefined ? {} : { trailName: flags.trail }),
      ...(flags.rule === undefined ? {} : { ruleName: flags.rule }),
    };
  }
  if (wantGcp) {
    const project = flags.project ?? env.GOOGLE_CLOUD_PROJECT ?? env.CLOUDSDK_CORE_PROJECT;
    if (!project) throw new UsageError('the GCP checks need a project: --project P or GOOGLE_CLOUD_PROJECT');
    targets.gcp = {
      project,
      ...(env.TOKENTRAIL_GCP_ENDPOINT ? { endpoint: env.TOKENTRAIL_GCP_ENDPOINT } : {}),
      ...(flags.sink === undefined ? {} : { sinkName: flags.sink }),
    };
  }
  return targets;
}

const NOTHING_TO_CHECK = `tokentrail doctor: nothing to check: name a cloud.
  AWS: --region R (or AWS_REGION) and, for the details, --trail NAME --rule NAME --buckets b1,b2
  GCP: --project P and --sink NAME
Run 'tokentrail doctor --help' for what is checked.
`;

/** `tokentrail doctor`: runs the checks and prints them; resolves to the exit status. */
export async function doctorCommand(flags: DoctorFlags, io: CliIo): Promise<number> {
  const targets = doctorTargets(flags, io.env);
  if (!targets.aws && !targets.gcp) {
    io.stderr.write(NOTHING_TO_CHECK);
    return EXIT.failure;
  }
  const results = await runDoctor(targets);
  io.stdout.write(
    flags.json ? renderReportNdjson(results) : renderReport(results, isTty(io.stdout) ? 'unicode' : 'ascii'),
  );
  const counts = countStatuses(results);
  if (counts.fail > 0) return EXIT_CHECK_FAILED;
  return counts.ok + counts.warn === 0 ? EXIT.failure : EXIT.ok;
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
      setExit(await doctorCommand(flags, io));
    });
}
