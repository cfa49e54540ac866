import { PassThrough, Readable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { type CliIo, EXIT } from '../../cli/cli-io.js';
import { registerBackfillCommand } from '../../cli/cloud-commands.js';
import type { BackfillDependencies } from '../../cli/commands/backfill.js';
import type { Pacing } from '../../shared/adapters/backfill/request-pacer.js';

/** A clock that only moves when something sleeps: pacing is measured, never waited for. */
export function fakePacing(start = 1_700_000_000_000): {
  readonly pacing: Pacing;
  readonly sleeps: number[];
  now(): number;
} {
  let now = start;
  const sleeps: number[] = [];
  return {
    pacing: {
      nowMs: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    },
    sleeps,
    now: () => now,
  };
}

export interface BackfillCliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly rows: Record<string, unknown>[];
  readonly stderrLines: Record<string, unknown>[];
}

const parseLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/**
 * Runs `tokentrail backfill …` in-process: a commander program with only the backfill command
 * registered (cli/main.ts wires it in the real CLI), errors mapped to exit codes as main does.
 */
export async function runBackfillCli(
  argv: readonly string[],
  options: {
    env?: Record<string, string | undefined>;
    now?: Date;
    dependencies: BackfillDependencies;
    stderrIsTTY?: boolean;
  },
): Promise<BackfillCliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const io: CliIo = {
    stdin: Readable.from([]),
    stdout,
    stderr,
    stdinIsTTY: false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    version: '0.0.0-test',
    env: options.env ?? {},
    now: () => options.now ?? new Date(),
  };
  let code: number = EXIT.ok;
  const program = new Command('tokentrail')
    .exitOverride()
    .configureOutput({ writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) });
  registerBackfillCommand(
    program,
    {
      io,
      setExit: (value) => {
        code = value;
      },
    },
    options.dependencies,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? EXIT.ok : EXIT.failure;
    else {
      code = EXIT.failure;
      stderr.write(`tokentrail: ${(error as Error).message}\n`);
    }
  }
  const stdoutText = Buffer.concat(out).toString('utf8');
  const stderrText = Buffer.concat(err).toString('utf8');
  return {
    code,
    stdout: stdoutText,
    stderr: stderrText,
    rows: parseLines(stdoutText),
    stderrLines: parseLines(stderrText),
  };
}

/** Dummy AWS credentials in the environment the SDK reads (the CLI uses the default chain). */
export function useFakeAwsCredentials(): void {
  const saved: Record<string, string | undefined> = {};
  const fake: Record<string, string | undefined> = {
    AWS_ACCESS_KEY_ID: 'AKIDFAKEFORTESTS',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  beforeAll(() => {
    for (const [name, value] of Object.entries(fake)) {
      saved[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
