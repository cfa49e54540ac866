import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-harness.js';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const EVENTBRIDGE = readFileSync(join(EXAMPLES, 'aws', 'eventbridge-assume-role-with-web-identity.json'));
const PUBSUB = readFileSync(join(EXAMPLES, 'gcp', 'pubsub-push-exchange-token.json'));

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tokentrail-dir-inputs-'));
});

afterEach(() => {
  chmodSync(root, 0o700);
  rmSync(root, { recursive: true, force: true });
});

/** The files outside the directory that links point at: one row each. */
function targets(): { file: string; directory: string } {
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(join(elsewhere, 'gcp'), { recursive: true });
  writeFileSync(join(elsewhere, 'aws.json'), EVENTBRIDGE);
  writeFileSync(join(elsewhere, 'gcp', 'push.json'), PUBSUB);
  return { file: join(elsewhere, 'aws.json'), directory: join(elsewhere, 'gcp') };
}

const normalize = (directory: string) => runCli(['normalize', '--no-progress', directory]);
const summaryOf = (result: Awaited<ReturnType<typeof normalize>>) =>
  result.stderrLines.find((line) => line.type === 'summary');
const reports = (result: Awaited<ReturnType<typeof normalize>>) =>
  result.stderrLines.filter((line) => line.type !== 'summary');

describe('a directory named as input', () => {
  it('follows symbolic links to files and to directories', async () => {
    const { file, directory } = targets();
    const input = join(root, 'input');
    mkdirSync(input);
    symlinkSync(file, join(input, 'linked-file.json'));
    symlinkSync(directory, join(input, 'linked-directory'));
    const result = await normalize(input);
    expect(result.code).toBe(0);
    expect(summaryOf(result)).toMatchObject({ rows: 2, files: 2 });
    expect(reports(result)).toEqual([]);
  });

  it('reports a dangling link as an error and still reads the rest', async () => {
    const { file } = targets();
    const input = join(root, 'input');
    mkdirSync(input);
    symlinkSync(file, join(input, 'a.json'));
    symlinkSync(join(root, 'gone.json'), join(input, 'b-dangling.json'));
    const result = await normalize(input);
    expect(result.code).toBe(1);
    expect(summaryOf(result)).toMatchObject({ rows: 1, files: 1 });
    expect(reports(result)).toEqual([
      {
        type: 'error',
        file: join(input, 'b-dangling.json'),
        message: `a symbolic link to ${join(root, 'gone.json')}, which does not exist: not read`,
      },
    ]);
  });

  it('names a hostile file name in its report with escapes a terminal shows, exact once parsed', async () => {
    const input = join(root, 'input');
    mkdirSync(input);
    const name = 'log\u202egpj.json';
    symlinkSync(join(root, 'gone'), join(input, name));
    const result = await normalize(input);
    expect(result.stderr).not.toContain('\u202e');
    expect(result.stderr).toContain('log\\u202egpj.json');
    expect(reports(result)).toEqual([expect.objectContaining({ type: 'error', file: join(input, name) })]);
  });

  it('reports a link that loops on itself as an error', async () => {
    const input = join(root, 'input');
    mkdirSync(input);
    symlinkSync(join(input, 'self'), join(input, 'self'));
    const result = await normalize(input);
    expect(result.code).toBe(1);
    expect(reports(result)).toEqual([
      {
        type: 'error',
        file: join(input, 'self'),
        message: 'a symbolic link that loops (too many levels of links): not read',
      },
    ]);
  });

  it('follows a link back to a directory being read once, and says so, with nothing read twice', async () => {
    const input = join(root, 'input');
    mkdirSync(join(input, 'sub'), { recursive: true });
    writeFileSync(join(input, 'sub', 'aws.json'), EVENTBRIDGE);
    symlinkSync(input, join(input, 'sub', 'back-up'));
    symlinkSync(join(input, 'sub', 'aws.json'), join(input, 'again.json'));
    const result = await normalize(input);
    expect(summaryOf(result)).toMatchObject({ rows: 1, duplicates: 0, files: 1 });
    expect(result.code).toBe(0);
    expect(reports(result)).toEqual([
      {
        type: 'notice',
        input: join(input, 'sub', 'aws.json'),
        message: `the same file as ${join(input, 'again.json')}, read once`,
      },
      {
        type: 'notice',
        input: join(input, 'sub', 'back-up'),
        message: `a symbolic link back to ${input}, which is being read already: not followed`,
      },
    ]);
  });

  it('leaves out a FIFO and a socket with a notice, without waiting on them', async () => {
    const input = join(root, 'input');
    mkdirSync(input);
    writeFileSync(join(input, 'aws.json'), EVENTBRIDGE);
    execFileSync('mkfifo', [join(input, 'fifo')], { timeout: 10_000 });
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(join(input, 'socket'), resolve));
    try {
      const result = await normalize(input);
      expect(result.code).toBe(0);
      expect(summaryOf(result)).toMatchObject({ rows: 1, files: 1 });
      expect(reports(result)).toEqual([
        {
          type: 'notice',
          input: join(input, 'fifo'),
          message: 'a FIFO, not a regular file: left out (name it on the command line to read it)',
        },
        {
          type: 'notice',
          input: join(input, 'socket'),
          message: 'a socket, not a regular file: left out',
        },
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)('reports a subdirectory it may not read, and reads the others', async () => {
    const input = join(root, 'input');
    mkdirSync(join(input, 'locked'), { recursive: true });
    writeFileSync(join(input, 'aws.json'), EVENTBRIDGE);
    chmodSync(join(input, 'locked'), 0o000);
    try {
      const result = await normalize(input);
      expect(result.code).toBe(1);
      expect(summaryOf(result)).toMatchObject({ rows: 1, files: 1 });
      expect(reports(result)).toEqual([
        expect.objectContaining({ type: 'error', file: join(input, 'locked') }),
      ]);
      expect(reports(result)[0]!.message).toMatch(/^permission denied/);
    } finally {
      chmodSync(join(input, 'locked'), 0o700);
    }
  });
});
