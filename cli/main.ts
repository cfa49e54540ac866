import { type Command, CommanderError } from 'commander';
import { settingsHelp } from '../shared/core/config/settings-table.js';
import { CliCommand, oneLineError } from './cli-command.js';
import { type CliIo, EXIT, UsageError } from './cli-io.js';
import { settingsOf } from './cli-settings.js';
import { registerBackfillCommand, registerDoctorCommand, registerSinksCommand } from './cloud-commands.js';
import { withInputOptions } from './input-options.js';
import { registerRangesCommand } from './ranges-commands.js';
import { registerStoreCommands } from './store-commands.js';
import { registerUiCommands } from './ui-commands.js';

export { quietLibraryWarnings } from './library-warnings.js';

const NORMALIZE_HELP = `
Inputs are detected from their content, gzip or not:
  CloudTrail log files {"Records":[...]} (streamed record by record), single CloudTrail
  records, EventBridge "AWS API Call via CloudTrail" events, CloudWatch Logs subscription
  payloads {"awslogs":{"data":...}} and decoded DATA_MESSAGEs, GCP LogEntries (one object,
  a JSON array as 'gcloud logging read --format=json' prints, or NDJSON as a Log Router
  sink writes), Pub/Sub push bodies and messagePublished CloudEvents, and Eventarc
  google.cloud.audit.log.v1.written CloudEvents.

Output:
  stdout  one JSON row per federation event (token exchange, impersonation, data access)
  stderr  one JSON line per rejected record {"type":"reject",file,value,path,offset,code,message},
          then {"type":"summary",rows,duplicates,skipped,rejected,...}

Exit status: 0 nothing rejected, 3 some records rejected, 1 usage or I/O error.

Examples:
  $ tokentrail normalize AWSLogs/                       # a synced CloudTrail bucket prefix
  $ gcloud logging read 'protoPayload.serviceName="sts.googleapis.com"' --format=json \\
      | tokentrail normalize > rows.ndjson
  $ tokentrail normalize --raw event.json | jq .raw.userIdentity
`;

/** The whole command tree; exported for tests that walk every command. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new CliCommand('tokentrail')
    .description('Audit trail for workload identity federation across AWS and GCP.')
    .version(io.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(oneLineError(text)),
    })
    .exitOverride()
    .addHelpText('after', `\nEnvironment:\n${settingsHelp('cli')}\n`);

  withInputOptions(
    program
      .command('normalize')
      .description('turn audit events, in any delivery envelope, into rows (NDJSON on stdout)'),
  )
    .option('--raw', 'include the original record in each row and the raw text of each rejection', false)
    .addHelpText('after', NORMALIZE_HELP)
    .action(
      async (inputs: string[], options: { raw: boolean; progress: boolean; maxDecompressed?: number }) => {
        const { normalizeCommand } = await import('./commands/normalize.js');
        setExit(
          await normalizeCommand(
            inputs,
            { raw: options.raw, progress: options.progress, maxDecompressedBytes: options.maxDecompressed },
            io,
          ),
        );
      },
    );

  registerStoreCommands(program, { io, setExit });
  registerBackfillCommand(program, { io, setExit });
  registerDoctorCommand(program, { io, setExit });
  registerSinksCommand(program, { io, setExit });
  registerRangesCommand(program, { io, setExit });
  registerUiCommands(program, { io, setExit });
  return program;
}

/** TOKENTRAIL_DEBUG, even when another setting is wrong (that error is the one to show). */
function debugging(io: CliIo): boolean {
  try {
    return settingsOf(io).debug;
  } catch {
    return Boolean(io.env.TOKENTRAIL_DEBUG?.trim());
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.failure;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.failure;
    }
    // Anything else is a failure the user can act on (a bad time, a locked store, a SQL error):
    // say it in one line; TOKENTRAIL_DEBUG=1 shows the stack.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`tokentrail: ${message}\n`);
    if (debugging(io) && error instanceof Error && !(error instanceof UsageError)) {
      io.stderr.write(`${error.stack}\n`);
    }
    return EXIT.failure;
  }
}
