import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The installed command as a user runs it: bin/tokentrail.js over the build `npm install` made. */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));

(built ? describe : describe.skip)('the tokentrail command', () => {
  it('answers --help and --version', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: tokentrail/);
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('normalizes the examples and exits 0', () => {
    const run = spawnSync(process.execPath, [bin, 'normalize', resolve(root, 'examples')], {
      encoding: 'utf8',
    });
    expect(run.stderr).toMatch(/"type":"summary"/);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').length).toBeGreaterThan(5);
  });

  it('runs the demo (npm start) from any directory: a week ingested, the who-accessed table printed', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tokentrail-demo-'));
    try {
      const run = spawnSync(process.execPath, [bin, 'demo'], { cwd, encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(
        /ingested into duckdb:\.tokentrail\/demo\.duckdb: \d+ rows, \d+ duplicate deliveries ignored, 0 quarantined/,
      );
      expect(run.stdout).toContain('repo:someone-else/payments-api:pull_request');
      expect(run.stdout).toContain('\\u001b[31m'); // the hostile subject, escaped
      expect(run.stdout).not.toContain('\u001b');

      const again = spawnSync(
        process.execPath,
        [
          bin,
          'query',
          'who-accessed',
          '--bucket',
          'acme-prod-data',
          '--json',
          '--store',
          '.tokentrail/demo.duckdb',
        ],
        { cwd, encoding: 'utf8' },
      );
      expect(again.status).toBe(0);
      const rows = again.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(rows.every((row) => row.bucket === 'acme-prod-data' && row.subject !== null)).toBe(true);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('stops quietly when its reader goes away (| head)', async () => {
    const child = spawn(process.execPath, [bin, 'normalize', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {}); // the child exits while we are still feeding it: expected
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const line = `${JSON.stringify({ eventID: 'x', eventTime: '2025-01-01T00:00:00Z', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRoleWithWebIdentity' })}\n`;
    child.stdout.once('data', () => child.stdout.destroy());
    const writeMore = () => {
      for (let i = 0; i < 2000 && child.stdin.writable; i++)
        child.stdin.write(line.replace('"x"', `"x${Math.random()}"`));
    };
    writeMore();
    const timer = setInterval(writeMore, 5);
    const code = await new Promise<number | null>((resolveCode) => child.on('close', resolveCode));
    clearInterval(timer);
    expect(stderr).not.toMatch(/Error|at /);
    expect(code).toBe(0);
  }, 20_000);
});
