import { PassThrough, Readable } from 'node:stream';
import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { buildProgram, main } from './main.js';

function ioWith(stderr: PassThrough, stdout = new PassThrough()): CliIo {
  return {
    stdin: Readable.from([]),
    stdout,
    stderr,
    stdinIsTTY: false,
    stderrIsTTY: false,
    version: '0.0.0-test',
    env: {},
    now: () => new Date('2026-11-20T00:00:00Z'),
  };
}

/** Every command that runs an action, as the words that name it (query who-accessed, ...). */
function leafCommands(command: Command, path: string[] = []): string[][] {
  if (command.commands.length === 0) return [path];
  return command.commands.flatMap((child) => leafCommands(child, [...path, child.name()]));
}

const program = buildProgram(ioWith(new PassThrough()), () => {});
const LEAVES = leafCommands(program);

async function run(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  const chunks: string[] = [];
  const out: string[] = [];
  stderr.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  stdout.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
  const code = await main(argv, ioWith(stderr, stdout));
  return { code, stderr: chunks.join(''), stdout: out.join('') };
}

describe('every command', () => {
  it('is found by the walk (a sanity check of the list below)', () => {
    expect(LEAVES).toEqual(
      expect.arrayContaining([
        ['query', 'who-accessed'],
        ['backfill', 'gcp'],
        ['alerts', 'ack'],
        ['normalize'],
      ]),
    );
  });

  it.each(LEAVES.map((path) => [path.join(' '), path]))(
    '%s names an unknown option before a missing required option, argument or a conflict',
    async (_name, path) => {
      // --json and --csv conflict where both exist (else one of them is unknown too); required
      // options and arguments are left out.
      const { code, stderr } = await run([...path, '--json', '--csv', '--no-such-option']);
      expect(code).toBe(1);
      expect(stderr.split('\n')[0]).toMatch(/^tokentrail: unknown option '--(no-such-option|json|csv)'$/);
    },
  );

  it('suggests the option meant, on one line', async () => {
    const { code, stderr } = await run(['query', 'who-accessed', '--buckt', 'x']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "tokentrail: unknown option '--buckt' (did you mean --bucket?)\n(run with --help for usage)\n",
    );
  });

  it('still names a missing required option when every option is known', async () => {
    const { stderr } = await run(['query', 'who-accessed', '--since', '1d']);
    expect(stderr).toMatch(/^tokentrail: required option '--bucket <glob>' not specified\n/);
  });

  it('still names an unknown subcommand rather than the options after it', async () => {
    const { stderr } = await run(['query', 'who-accesed', '--bucket', 'x']);
    expect(stderr).toMatch(/^tokentrail: unknown command 'who-accesed'/);
  });

  it('still answers --help next to an unknown option', async () => {
    const { code, stdout } = await run(['query', 'who-accessed', '--buckt', 'x', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: tokentrail query who-accessed/);
  });

  it.each(LEAVES.map((path) => [path.join(' '), path]))(
    '%s --help states each default once',
    (_name, path) => {
      let command = program;
      for (const name of path) command = command.commands.find((child) => child.name() === name)!;
      const help = command.createHelp();
      const descriptions = help.visibleOptions(command).map((option) => help.optionDescription(option));
      expect(descriptions.filter((text) => (text.match(/default/g)?.length ?? 0) > 1)).toEqual([]);
    },
  );
});
