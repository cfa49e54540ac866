import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killRunningProcesses, runProcess, startProcess } from '../helpers/run-process.js';

/**
 * The installed command as a user runs it: bin/tokentrail.js over the build `npm install` made.
 * Each run is killed after a minute (it takes a few seconds at most idle, many times that on a
 * loaded machine); each case's jest timeout outlasts its runs.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));

const tokentrail = (args: string[], cwd?: string) =>
  runProcess(process.execPath, [bin, ...args], { cwd, timeoutMs: 60_000 });

afterAll(killRunningProcesses);

(built ? describe : describe.skip)('the tokentrail command', () => {
  it('answers --help and --version', async () => {
    const help = await tokentrail(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: tokentrail/);
    const version = await tokentrail(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 150_000);

  it('normalizes the examples and exits 0', async () => {
    const run = await tokentrail(['normalize', resolve(root, 'examples')]);
    expect(run.stderr).toMatch(/"type":"summary"/);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').length).toBeGreaterThan(5);
  }, 90_000);

  it('runs the demo (npm start) from any directory: a week ingested, the who-accessed table printed', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tokentrail-demo-'));
    try {
      const run = await tokentrail(['demo'], cwd);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /ingested into duckdb:\.tokentrail\/demo\.duckdb: \d+ rows, \d+ duplicate deliveries ignored, 0 quarantined/,
      );
      expect(run.stdout).toContain('repo:someone-else/payments-api:pull_request');
      expect(run.stdout).toContain('\\u001b[31m'); // the hostile subject, escaped
      expect(run.stdout).not.toContain('\u001b');

      const again = await tokentrail(
        [
          'query',
          'who-accessed',
          '--bucket',
          'acme-prod-data',
          '--json',
          '--store',
          '.tokentrail/demo.duckdb',
        ],
        cwd,
      );
      expect(again.code).toBe(0);
      const rows = again.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(rows.every((row) => row.bucket === 'acme-prod-data' && row.subject !== null)).toBe(true);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 150_000);

  it('stops quietly when its reader goes away (| head)', async () => {
    const { child, exited } = startProcess(process.execPath, [bin, 'normalize', '-'], { timeoutMs: 60_000 });
    child.stdin?.on('error', () => {}); // the child exits while we are still feeding it: expected
    const line = `${JSON.stringify({ eventID: 'x', eventTime: '2025-01-01T00:00:00Z', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRoleWithWebIdentity' })}\n`;
    child.stdout?.once('data', () => child.stdout?.destroy());
    // Fed whenever the pipe has room, until the child goes: no timer to clear.
    const writeMore = () => {
      while (child.stdin?.writable && child.stdin.write(line.replace('"x"', `"x${Math.random()}"`)));
    };
    child.stdin?.on('drain', writeMore);
    writeMore();
    const run = await exited;
    expect(run.stderr).not.toMatch(/Error|at /);
    expect(run.code).toBe(0);
  }, 90_000);
});
