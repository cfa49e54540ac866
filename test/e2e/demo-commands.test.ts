import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_FINDINGS } from '../../cli/commands/trust-scan.js';
import type { Alert } from '../../shared/core/alerts/alert.js';
import { alertParties } from '../../shared/core/alerts/alert-parties.js';
import { terminalSafe } from '../../shared/core/render/terminal-safe.js';
import { killRunningProcesses, runProcess, startProcess } from '../helpers/run-process.js';

/**
 * Every command `npm start` suggests, pasted into a shell in the directory the demo ran in: each
 * works, and the detect command prints the alerts the demo showed. `npx` and `tokentrail` are
 * stand-ins on PATH for the installed command (bin/tokentrail.js over the build), so the lines run
 * exactly as printed, quoting included.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));
const RUN_MS = 90_000;

afterAll(killRunningProcesses);

/** `npx tokentrail …` and `tokentrail …` as a user who installed it would run them. */
function shims(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tokentrail-shims-'));
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  writeFileSync(
    join(directory, 'tokentrail'),
    `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(bin)} "$@"\n`,
  );
  writeFileSync(
    join(directory, 'npx'),
    `#!/bin/sh\n[ "$1" = tokentrail ] || { echo "npx: only tokentrail here" >&2; exit 127; }\nshift\nexec tokentrail "$@"\n`,
  );
  for (const name of ['tokentrail', 'npx']) chmodSync(join(directory, name), 0o755);
  return directory;
}

/** The suggested commands: in the headings' parentheses and under "Try:". */
function suggested(stdout: string): string[] {
  return [...stdout.matchAll(/npx tokentrail [^\n)]*/g)].map((match) => match[0].trim());
}

/** The demo's alert table as rule|subject|principal, the cells as printed. */
function demoAlerts(stdout: string): string[] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => /^SEVERITY\s+RULE\s+SUBJECT\s+PRINCIPAL\s+COUNT/.test(line));
  expect(header).toBeGreaterThan(-1);
  const heading = lines[header]!;
  const [rule, subject, principal, count] = ['RULE', 'SUBJECT', 'PRINCIPAL', 'COUNT'].map((name) =>
    heading.indexOf(name),
  ) as [number, number, number, number];
  const rows: string[] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    rows.push(
      [line.slice(rule, subject), line.slice(subject, principal), line.slice(principal, count)]
        .map((cell) => cell.trim())
        .join('|'),
    );
  }
  return rows.sort();
}

/** The principals (a role ARN, a service account) a trust table calls weak, whatever its columns. */
function weakTrusts(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('weak '))
    .map((line) => line.split(/\s+/).find((word) => /^arn:|@/.test(word)) ?? line)
    .sort();
}

/** detect's JSON lines as the demo's table shows them. */
function detectedAlerts(stdout: string): Alert[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Alert);
}

const asShown = (alert: Alert): string => {
  const { subject, principal } = alertParties(alert);
  const cell = (value: string | null) => (value === null ? '-' : terminalSafe(value));
  return [alert.rule, cell(subject), cell(principal)].join('|');
};

(built ? describe : describe.skip)('the commands the demo suggests', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tokentrail-demo-commands-'));
  const shimDirectory = shims();
  const env = { ...process.env, PATH: `${shimDirectory}:${process.env.PATH ?? ''}` };
  const shell = (command: string) => runProcess('/bin/sh', ['-c', command], { cwd, env, timeoutMs: RUN_MS });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(shimDirectory, { recursive: true, force: true });
  });

  it('work when pasted, against the demo store, and detect prints the alerts the demo showed', async () => {
    const demo = await runProcess(process.execPath, [bin, 'demo'], { cwd, timeoutMs: RUN_MS });
    expect(demo.code).toBe(0);
    const commands = suggested(demo.stdout);
    expect(commands.map((command) => command.split(' ').slice(2, 4).join(' ')).sort()).toEqual([
      'alerts list',
      'detect --policy',
      'query chain',
      'query failures',
      'query principals',
      'query who-accessed',
      'query who-accessed',
      'trust scan',
      'ui --store',
    ]);
    for (const command of commands) {
      expect(command).toContain('--store .tokentrail/demo.duckdb');
      expect(command).not.toMatch(/hooks\.slack|--webhook/);
    }

    for (const command of commands.filter((line) => !/^npx tokentrail (ui|detect) /.test(line))) {
      const run = await shell(command);
      // trust scan exits 4 when it finds a weak trust, as a CI gate would want: the demo planted two.
      const expected = command.startsWith('npx tokentrail trust scan ') ? EXIT_FINDINGS : 0;
      expect([command, run.code, run.stderr]).toEqual([command, expected, run.stderr]);
      expect(run.stdout.trim()).not.toBe('');
      if (expected === EXIT_FINDINGS) expect(weakTrusts(run.stdout)).toEqual(weakTrusts(demo.stdout));
    }

    const detectCommand = commands.find((line) => line.startsWith('npx tokentrail detect '))!;
    const detect = await shell(detectCommand);
    expect([detect.code, detect.stderr]).toEqual([0, detect.stderr]);
    const alerts = detectedAlerts(detect.stdout);
    expect(alerts.map(asShown).sort()).toEqual(demoAlerts(demo.stdout));

    // Each alert's ready query names the demo store, so it runs as pasted too.
    const refused = alerts.find((alert) => alert.rule === 'audience-mismatch' && alert.principal === null)!;
    const hostile = alerts.find((alert) => alert.subject?.includes('\u001b'))!;
    for (const alert of [refused, hostile]) {
      expect(alert.query).toContain('--store duckdb:.tokentrail/demo.duckdb');
      const run = await shell(alert.query);
      expect([alert.query, run.code, run.stderr]).toEqual([alert.query, 0, run.stderr]);
    }
    expect((await shell(refused.query)).stdout).toContain('ExchangeToken');
  }, 600_000);

  it('serves the page with the suggested ui command', async () => {
    if (!existsSync(join(cwd, '.tokentrail/demo.duckdb'))) {
      const demo = await runProcess(process.execPath, [bin, 'demo'], { cwd, timeoutMs: RUN_MS });
      expect(demo.code).toBe(0);
    }
    // Any free port, not 8787: other tests may be serving there.
    const command = 'npx tokentrail ui --store .tokentrail/demo.duckdb --port 0';
    const { child, exited } = startProcess('/bin/sh', ['-c', command], { cwd, env, timeoutMs: RUN_MS });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let seen = '';
        child.stdout?.on('data', (chunk: Buffer | string) => {
          seen += chunk.toString();
          const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(seen);
          if (match) resolveUrl(match[0]);
        });
        exited.then((run) => reject(new Error(`ui exited: ${run.code} ${run.stderr}`)), reject);
      });
      const page = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      expect(page.status).toBe(200);
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      await exited.catch(() => undefined);
    }
  }, 300_000);
});
