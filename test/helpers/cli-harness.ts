import { PassThrough, Readable } from 'node:stream';
import { main } from '../../cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly rows: Record<string, unknown>[];
  readonly stderrLines: Record<string, unknown>[];
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

/** Runs the CLI in-process with captured streams. */
export async function runCli(
  argv: string[],
  options: {
    stdin?: string | Buffer;
    stdinIsTTY?: boolean;
    env?: Record<string, string | undefined>;
    now?: Date;
  } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const readOut = collect(stdout);
  const readErr = collect(stderr);
  const code = await main(argv, {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout,
    stderr,
    stdinIsTTY: options.stdinIsTTY ?? false,
    stderrIsTTY: false,
    version: '0.0.0-test',
    env: options.env ?? {},
    now: () => options.now ?? new Date(),
  });
  const out = readOut();
  const err = readErr();
  const parseLines = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, stdout: out, stderr: err, rows: parseLines(out), stderrLines: parseLines(err) };
}
