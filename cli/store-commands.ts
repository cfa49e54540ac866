import { type Command, Option } from 'commander';
import { parseStoreUri } from '../shared/adapters/store/store-uri.js';
import { ALERT_STATUSES, type AlertStatus } from '../shared/core/schema/alert-columns.js';
import { MIN_ALERT_ID_PREFIX } from './alert-id-prefix.js';
import { type CliIo, UsageError } from './cli-io.js';
import { settingsOf } from './cli-settings.js';
import type { OutputFormat } from './commands/query.js';
import { DEMO_STORE } from './demo-paths.js';
import { type InputFlags, withInputOptions } from './input-options.js';
import { tableWidth, WIDE_HELP } from './table-width.js';
import { channelsFrom, type WebhookFlags, withWebhookOption } from './webhook-options.js';

export interface CommandContext {
  readonly io: CliIo;
  readonly setExit: (code: number) => void;
}

const STORE_HELP =
  'where rows live: a DuckDB file path (or duckdb:PATH) or bigquery://PROJECT/DATASET (default: $TOKENTRAIL_STORE, else .tokentrail/tokentrail.duckdb)';

/** The detection rules' ids, for `detect --help` (the rules themselves load when detect runs). */
export const RULE_IDS = [
  'unexpected-subject',
  'audience-mismatch',
  'first-seen-subject',
  'failed-exchange-burst',
  'subject-new-bucket',
  'shared-principal-across-repos',
  'whole-pool-grant',
  'weak-trust',
  'trust-widened',
  'trust-drift',
  'credential-used-elsewhere',
  'exchange-from-unexpected-network',
  'use-long-after-mint',
];

const QUERY_HELP = `
Times: --since and --until take 7d, 12h, 30m, 2w (before now) or a date / UTC timestamp
(2026-11-01, 2026-11-01T08:00:00Z). Patterns are globs: * any run, ? one character.
Output: an aligned table (UTC), --json (one object per line, exact values) or --csv (RFC 4180,
cells starting with = + - @ prefixed with ' so spreadsheets do not run them).
${tableHelp('--json and --csv always hold')}`;

/** For the commands that print a table: how it fits the terminal, and what holds the full values. */
function tableHelp(full: string): string {
  return `On a terminal, or with $COLUMNS set, the table's longest cells are cut in the middle (…) to
fit its width, and a line below it says so; --wide prints every cell whole.
${full} the full values.
`;
}

interface StoreOptions {
  store?: string;
}

interface QueryFlags extends StoreOptions {
  since?: string;
  until?: string;
  json?: boolean;
  csv?: boolean;
  wide?: boolean;
}

/** A repeatable option's values, in order. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function storeOption(): Option {
  return new Option('--store <uri>', STORE_HELP);
}

function formatOf(flags: QueryFlags): OutputFormat {
  if (flags.json) return 'json';
  if (flags.csv) return 'csv';
  return 'table';
}

function withQueryOptions(command: Command, defaultSince: string): Command {
  return command
    .option('--since <time>', 'from this time on', defaultSince)
    .option('--until <time>', 'up to this time (default: now)')
    .addOption(storeOption())
    .addOption(new Option('--json', 'one JSON object per line').conflicts('csv'))
    .addOption(new Option('--csv', 'CSV with a header row'))
    .option('--wide', WIDE_HELP)
    .addHelpText('after', QUERY_HELP);
}

/** The YAML parser and the rules load only for a run that has a policy. */
async function loadPolicyFile(path: string) {
  const [{ loadPolicy }, { RULES }] = await Promise.all([
    import('../shared/adapters/policy/load-policy.js'),
    import('../shared/core/detect/rules.js'),
  ]);
  return loadPolicy(path, { ruleIds: RULES.map((rule) => rule.id) });
}

/** `ingest` and `query ...`: the commands that work with a store. */
export function registerStoreCommands(program: Command, { io, setExit }: CommandContext): void {
  const store = (flags: StoreOptions) => parseStoreUri(flags.store ?? settingsOf(io).store);
  const storeOptions = {
    get bigQueryEndpoint() {
      return settingsOf(io).endpoints.bigquery;
    },
  };
  const queryOptions = (flags: QueryFlags) => ({
    store: store(flags),
    storeOptions,
    format: formatOf(flags),
    since: flags.since,
    until: flags.until,
    tableWidth: tableWidth(io, flags.wide),
  });
  const namedQuery = async (
    name: 'WHO_ACCESSED' | 'SUBJECTS' | 'PRINCIPALS' | 'FAILURES' | 'CHAIN',
    parameters: Record<string, string>,
    options: ReturnType<typeof queryOptions>,
  ) => {
    const [queries, { namedQueryCommand }] = await Promise.all([
      import('../shared/core/queries/named-queries.js'),
      import('./commands/query.js'),
    ]);
    return namedQueryCommand(queries[name], parameters, options, io);
  };

  withInputOptions(
    program
      .command('ingest')
      .description('normalize audit events and store them (idempotent: each event is kept once)'),
  )
    .addOption(storeOption())
    .option('--json', 'print the summary as one JSON object', false)
    .option('--since <time>', 'with s3://: skip archive objects filed before this day (7d, 2026-11-01)')
    .addHelpText(
      'after',
      `
Reads everything 'tokentrail normalize' reads, and s3://BUCKET/PREFIX: a CloudTrail archive in S3,
listed and streamed object by object (digests skipped; an interrupted run resumes where it
stopped; AWS credentials from the default chain). Data events (S3 reads) are only in these files,
not in 'backfill aws'. Rows go to the store's events table; records that cannot be normalized go
to its quarantine table with their bytes and the reason.
Exit status: 0 nothing quarantined, 3 some records quarantined, 1 usage, I/O or store error.

Examples:
  $ tokentrail ingest AWSLogs/ gcp-export/
  $ tokentrail ingest s3://acme-org-trail/AWSLogs/o-1234abcde/ --since 7d
  $ tokentrail ingest --store bigquery://my-project/tokentrail exported.ndjson.gz`,
    )
    .action(
      async (
        inputs: string[],
        flags: StoreOptions & { json: boolean; progress: boolean; maxDecompressed?: number; since?: string },
      ) => {
        const { ingestCommand } = await import('./commands/ingest.js');
        setExit(
          await ingestCommand(
            inputs,
            {
              store: store(flags),
              storeOptions,
              json: flags.json,
              progress: flags.progress,
              maxDecompressedBytes: flags.maxDecompressed,
              since: flags.since,
            },
            io,
          ),
        );
      },
    );

  withWebhookOption(
    withInputOptions(
      program
        .command('detect')
        .description(
          'run the detection rules over the store (after ingesting any files named) and print alerts',
        ),
    ),
  )
    .addOption(storeOption())
    .option('--policy <file>', 'the expected trust, YAML (default: $TOKENTRAIL_POLICY)')
    .option('--since <time>', 'from this event time on', '7d')
    .option('--until <time>', 'up to this event time (default: now)')
    .option(
      '--ranges <dir>',
      'published AWS, Google Cloud and GitHub Actions ranges, as `tokentrail ranges update` writes them',
      '.tokentrail/ranges',
    )
    .option('--step <length>', 'judge the window in steps of this length (1d), as a schedule would')
    .addHelpText(
      'after',
      `
Prints one JSON line per alert: rule, severity, title, principal, subject, identity_provider,
audience, resource, source_ip, count, first_seen, last_seen, event_ids, runbook, query.
Windows are in event time, so late CloudTrail files are judged by when things happened.
Rules: ${RULE_IDS.join(', ')}.
Exit 0 with or without alerts, 1 on errors (a bad policy, a store error, an undelivered alert).

Examples:
  $ tokentrail detect --policy docs/policy.example.yaml --store .tokentrail/demo.duckdb
  $ tokentrail detect AWSLogs/ --policy policy.yaml --since 24h`,
    )
    .action(
      async (
        inputs: string[],
        flags: StoreOptions &
          WebhookFlags &
          InputFlags & { policy?: string; since?: string; until?: string; ranges: string; step?: string },
      ) => {
        const { detectCommand } = await import('./commands/detect.js');
        const policyPath = flags.policy ?? settingsOf(io).policyPath;
        const policy = policyPath ? await loadPolicyFile(policyPath) : null;
        setExit(
          await detectCommand(
            inputs,
            {
              store: store(flags),
              storeOptions,
              policy,
              since: flags.since,
              until: flags.until,
              progress: flags.progress,
              maxDecompressedBytes: flags.maxDecompressed,
              channels: await channelsFrom(flags, io),
              rangesDirectory: flags.ranges,
              step: flags.step,
            },
            io,
          ),
        );
      },
    );

  const quarantine = program
    .command('quarantine')
    .description('the records ingest could not use, and their bytes');
  quarantine
    .command('list')
    .description('the newest quarantined records (a table, or --json)')
    .addOption(storeOption())
    .option('--json', 'one JSON object per line, with the full values', false)
    .option('--wide', WIDE_HELP)
    .addHelpText('after', `\n${tableHelp('--json holds')}`)
    .action(async (flags: StoreOptions & { json: boolean; wide?: boolean }) => {
      const { quarantineListCommand } = await import('./commands/quarantine.js');
      setExit(
        await quarantineListCommand(
          { store: store(flags), storeOptions, json: flags.json, tableWidth: tableWidth(io, flags.wide) },
          io,
        ),
      );
    });
  quarantine
    .command('show')
    .description('one quarantined record, re-read from a local input and checked against its SHA-256')
    .argument('<id>', 'its quarantine_id')
    .addOption(storeOption())
    .option('--bytes', "write the record's exact bytes, re-read from its input, instead of the row", false)
    .action(async (id: string, flags: StoreOptions & { bytes: boolean }) => {
      const { quarantineShowCommand } = await import('./commands/quarantine.js');
      setExit(
        await quarantineShowCommand(
          id,
          { store: store(flags), storeOptions, json: true, bytes: flags.bytes },
          io,
        ),
      );
    });

  const alerts = program
    .command('alerts')
    .description('the incidents detect raised, and their delivery state');
  alerts
    .command('list')
    .description('list alerts (a table, or --json)')
    .addOption(new Option('--status <status>', 'only this status').choices([...ALERT_STATUSES]))
    .addOption(storeOption())
    .option('--json', 'one JSON object per line, with the full values', false)
    .option('--wide', WIDE_HELP)
    .addHelpText(
      'after',
      `\n${tableHelp('--json holds')}A cut ALERT ID still shows the first ${MIN_ALERT_ID_PREFIX} hex digits alerts ack takes.
`,
    )
    .action(async (flags: StoreOptions & { status?: AlertStatus; json: boolean; wide?: boolean }) => {
      const { alertsListCommand } = await import('./commands/alerts.js');
      setExit(
        await alertsListCommand(
          flags.status,
          { store: store(flags), storeOptions, json: flags.json, tableWidth: tableWidth(io, flags.wide) },
          io,
        ),
      );
    });
  withWebhookOption(
    alerts
      .command('retry')
      .description('deliver again what a channel refused or was not sent')
      .option(
        '--unconfirmed',
        'also resend, once, the posts whose answer was lost (they may have landed; each is named first)',
        false,
      )
      .addOption(storeOption()),
  ).action(async (flags: StoreOptions & WebhookFlags & { unconfirmed: boolean }) => {
    const { alertsRetryCommand } = await import('./commands/alerts.js');
    setExit(
      await alertsRetryCommand(
        await channelsFrom(flags, io),
        { store: store(flags), storeOptions, json: false, unconfirmed: flags.unconfirmed },
        io,
      ),
    );
  });
  alerts
    .command('ack')
    .description('acknowledge incidents: no more messages for them, even if they grow')
    .argument('<alert-id...>', 'ids from alerts list, or their first 6 or more hex digits')
    .addOption(storeOption())
    .action(async (ids: string[], flags: StoreOptions) => {
      const { alertsAckCommand } = await import('./commands/alerts.js');
      setExit(await alertsAckCommand(ids, { store: store(flags), storeOptions, json: false }, io));
    });

  const query = program
    .command('query')
    .description('answer who accessed which bucket, who became whom, and what failed');

  withQueryOptions(
    query
      .command('who-accessed')
      .description('one line per (bucket, subject, principal): actions, count, failures, first and last seen')
      .requiredOption('--bucket <glob>', 'bucket name or glob, e.g. acme-prod-* or * for all'),
    '7d',
  ).action(async (flags: QueryFlags & { bucket: string }) => {
    setExit(await namedQuery('WHO_ACCESSED', { bucket: flags.bucket }, queryOptions(flags)));
  });

  withQueryOptions(
    query
      .command('subjects')
      .description('the external subjects that became a cloud principal')
      .requiredOption('--principal <glob>', 'role ARN or service-account email, or a glob'),
    '30d',
  ).action(async (flags: QueryFlags & { principal: string }) => {
    setExit(await namedQuery('SUBJECTS', { principal: flags.principal }, queryOptions(flags)));
  });

  withQueryOptions(
    query
      .command('principals')
      .description('the cloud principals an external subject became')
      .requiredOption('--subject <glob>', 'OIDC subject, e.g. repo:acme/web:*'),
    '30d',
  ).action(async (flags: QueryFlags & { subject: string }) => {
    setExit(await namedQuery('PRINCIPALS', { subject: flags.subject }, queryOptions(flags)));
  });

  withQueryOptions(
    query
      .command('failures')
      .description('failed exchanges, impersonations and denied access, grouped by cause'),
    '7d',
  ).action(async (flags: QueryFlags) => {
    setExit(await namedQuery('FAILURES', {}, queryOptions(flags)));
  });

  withQueryOptions(
    query
      .command('chain')
      .description(
        'each data access with the identities behind it, one line per hop from the root subject, across clouds',
      )
      .option('--subject <glob>', 'root or immediate subject, e.g. repo:acme/api:*')
      .option('--bucket <glob>', 'bucket name or glob, e.g. acme-prod-*')
      .addHelpText(
        'after',
        `
A chain follows what each call acted with back to where it was minted: an S3 read to the
AssumeRoleWithWebIdentity that minted its key; a GCP exchange by an AWS role session to the
AssumeRoleWithWebIdentity that created it (role and session name, within its lifetime); an
accounts.google.com exchange to the GenerateIdToken of the service account whose id is its
subject (within the hour); GCP hops by federated principal and service account. Hop 1's subject
is the chain's root subject. Give --subject, --bucket or both.`,
      ),
    '7d',
  ).action(async (flags: QueryFlags & { subject?: string; bucket?: string }) => {
    if (flags.subject === undefined && flags.bucket === undefined) {
      throw new UsageError('query chain needs --subject GLOB, --bucket GLOB or both');
    }
    const patterns = { subject: flags.subject ?? '*', bucket: flags.bucket ?? '*' };
    setExit(await namedQuery('CHAIN', patterns, queryOptions(flags)));
  });

  query
    .command('sql')
    .description(
      'run your own SQL on the store (DuckDB or BigQuery dialect); tables: events, quarantine; views: access, events_attributed, who_accessed, chain_links, chain_roots',
    )
    .argument('<sql>', 'the statement')
    .addOption(storeOption())
    .addOption(new Option('--json', 'one JSON object per line').conflicts('csv'))
    .addOption(new Option('--csv', 'CSV with a header row'))
    .option('--wide', WIDE_HELP)
    .addHelpText('after', `\n${tableHelp('--json and --csv hold')}`)
    .action(async (text: string, flags: QueryFlags) => {
      const { sqlCommand } = await import('./commands/query.js');
      setExit(await sqlCommand(text, queryOptions(flags), io));
    });

  program
    .command('policy')
    .description('the expected trust that detect --policy enforces')
    .command('suggest')
    .description('write a starting expect policy from the successful exchanges in the store, for review')
    .option('--since <time>', 'from this event time on', '30d')
    .option('--until <time>', 'up to this event time (default: now)')
    .addOption(storeOption())
    .option('--out <file>', 'write the policy to this file (default: stdout)')
    .addHelpText(
      'after',
      `
One expect entry per principal seen in successful token exchanges and impersonations, with the
subjects and audiences it saw, each commented with how many exchanges and when. Up to 5 subjects
sharing a prefix (up to their last : or /) are listed exactly; more become prefix*, never across
GitHub owners and never * or repo:*. Review every entry: these are the subjects seen, not the ones
you intend.
Exit 0 with a policy, 1 when the window holds no successful exchange (or on errors).

Examples:
  $ tokentrail policy suggest --store .tokentrail/demo.duckdb --since 30d --out policy.yaml
  $ tokentrail detect --policy policy.yaml --store .tokentrail/demo.duckdb`,
    )
    .action(async (flags: StoreOptions & { since?: string; until?: string; out?: string }) => {
      const { policySuggestCommand } = await import('./commands/policy-suggest.js');
      setExit(
        await policySuggestCommand(
          { store: store(flags), storeOptions, since: flags.since, until: flags.until, out: flags.out },
          io,
        ),
      );
    });

  program
    .command('trust')
    .description('what may become each principal, judged, beside who actually did')
    .command('scan')
    .description(
      'per principal: issuer, audiences, admitted subjects, a verdict (weak, drift, ok) and the subjects that used it',
    )
    .option('--aws', "read the account's IAM roles and OIDC providers (read-only)")
    .option('--gcp', "read the projects' workload identity pools and IAM policies (read-only)")
    .addOption(
      new Option('--project <id>', 'GCP project, repeatable')
        .argParser(collect)
        .default([], 'with --gcp: $GOOGLE_CLOUD_PROJECT'),
    )
    .option('--region <region>', 'AWS signing region (default: $AWS_REGION, else us-east-1)')
    .option('--policy <file>', 'the expected trust, YAML, to judge drift (default: $TOKENTRAIL_POLICY)')
    .option('--since <time>', 'who used each trust from this time on', '30d')
    .option('--until <time>', 'up to this time (default: now)')
    .addOption(storeOption())
    .addOption(new Option('--json', 'one JSON object per line').conflicts('csv'))
    .addOption(new Option('--csv', 'CSV with a header row'))
    .option('--wide', WIDE_HELP)
    .addHelpText(
      'after',
      `
${tableHelp('--json and --csv hold')}
Without --aws or --gcp the trusts come from the store: each role's last trust policy, each pool's
providers and the federated grants, as the trust changes the store holds set them (the offline
equivalent, limited to what the logs held). With them, from the clouds' APIs, read-only (AWS:
iam:ListRoles, ListOpenIDConnectProviders, GetOpenIDConnectProvider; GCP: roles/iam.securityReviewer
and storage.buckets.getIamPolicy); the store, when there is one, adds who used each trust.
Verdicts: weak (admits far more than one workload, as the weak-trust rule judges a change; GCP
conditions are evaluated as CEL), drift (disagrees with the policy's expect), ok. UNUSED lists the
admitted patterns no subject used in the window: a narrower trust the team could adopt.
TOKENTRAIL_AWS_ENDPOINT / TOKENTRAIL_GCP_ENDPOINT point the reads at a local stand-in.
Exit 0 all ok, 4 some principal weak or drifting, 1 on errors (or a part could not be read and
nothing was flagged).

Examples:
  $ tokentrail trust scan --store .tokentrail/demo.duckdb --policy docs/policy.example.yaml
  $ tokentrail trust scan --aws --policy policy.yaml --json
  $ tokentrail trust scan --gcp --project acme-prod --project acme-data --since 90d`,
    )
    .action(
      async (
        flags: StoreOptions &
          QueryFlags & { aws?: boolean; gcp?: boolean; project: string[]; region?: string; policy?: string },
      ) => {
        const { trustScanCommand, assertProjects } = await import('./commands/trust-scan.js');
        const settings = settingsOf(io);
        const policyPath = flags.policy ?? settings.policyPath;
        const projects =
          flags.project.length > 0
            ? flags.project
            : [io.env.GOOGLE_CLOUD_PROJECT].filter(
                (value): value is string => typeof value === 'string' && value !== '',
              );
        if (flags.gcp) assertProjects(projects);
        setExit(
          await trustScanCommand(
            {
              store: store(flags),
              storeOptions,
              storeNamed: flags.store !== undefined || settings.store !== undefined,
              format: formatOf(flags),
              tableWidth: tableWidth(io, flags.wide),
              since: flags.since,
              until: flags.until,
              policy: policyPath ? await loadPolicyFile(policyPath) : null,
              ...(flags.aws
                ? {
                    aws: {
                      region: flags.region ?? io.env.AWS_REGION,
                      ...(settings.endpoints.aws ? { endpoint: settings.endpoints.aws } : {}),
                    },
                  }
                : {}),
              ...(flags.gcp
                ? {
                    gcp: {
                      projects,
                      ...(settings.endpoints.gcp ? { endpoint: settings.endpoints.gcp } : {}),
                    },
                  }
                : {}),
            },
            io,
          ),
        );
      },
    );

  program
    .command('bigquery')
    .description('set up the BigQuery store')
    .command('init')
    .description('create the dataset, tables and views (idempotent: safe to run again after an upgrade)')
    .option('--project <id>', 'GCP project id (required)')
    .option('--dataset <name>', 'dataset name', 'tokentrail')
    .option('--location <location>', 'dataset location (only used when creating it)', 'US')
    .addHelpText(
      'after',
      `
Uses Application Default Credentials (gcloud auth application-default login, or the runtime's
service account); no keys. The statements are the files in infra/bigquery/setup/, with the
dataset name substituted; you can also run those in the BigQuery console.`,
    )
    .action(async (flags: { project?: string; dataset: string; location: string }) => {
      const { bigQueryInitCommand } = await import('./commands/bigquery-init.js');
      setExit(await bigQueryInitCommand({ ...flags, endpoint: storeOptions.bigQueryEndpoint }, io));
    });

  program
    .command('demo')
    .description(
      `generate a week of federation traffic, ingest it into ${DEMO_STORE} and show who accessed what`,
    )
    .option('--seed <n>', 'another deterministic week', (value) => Number.parseInt(value, 10))
    .option('--wide', WIDE_HELP)
    .addHelpText(
      'after',
      `
On a terminal, or with $COLUMNS set, the tables' longest cells are cut in the middle (…) to fit
its width, and a line below each cut table says so; --wide prints every cell whole (npm start --
--wide). The command above each table, with --json, prints its full values.`,
    )
    .action(async (flags: { seed?: number; wide?: boolean }) => {
      const { demoCommand } = await import('./commands/demo.js');
      setExit(await demoCommand({ seed: flags.seed, tableWidth: tableWidth(io, flags.wide) }, io));
    });
}
