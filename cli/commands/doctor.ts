import { type DoctorTargets, runDoctor } from '../../shared/adapters/doctor/run-doctor.js';
import { countStatuses } from '../../shared/core/doctor/check-result.js';
import { renderReport, renderReportNdjson } from '../../shared/core/doctor/render-checks.js';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { settingsOf } from '../cli-settings.js';

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
export function doctorTargets(flags: DoctorFlags, io: Pick<CliIo, 'env'>): DoctorTargets {
  const { env } = io;
  const { endpoints } = settingsOf(io);
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
      ...(endpoints.aws ? { endpoint: endpoints.aws } : {}),
      ...(flags.trail === undefined ? {} : { trailName: flags.trail }),
      ...(flags.rule === undefined ? {} : { ruleName: flags.rule }),
    };
  }
  if (wantGcp) {
    const project = flags.project ?? env.GOOGLE_CLOUD_PROJECT ?? env.CLOUDSDK_CORE_PROJECT;
    if (!project) throw new UsageError('the GCP checks need a project: --project P or GOOGLE_CLOUD_PROJECT');
    targets.gcp = {
      project,
      ...(endpoints.gcp ? { endpoint: endpoints.gcp } : {}),
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
  const targets = doctorTargets(flags, io);
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
