import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killRunningProcesses, runProcess } from '../helpers/run-process.js';

/**
 * Tables fit the width they are given (issue 17): the installed command, its standard output a
 * pipe, with COLUMNS=100, against a store ingested from examples/ (and the demo's). Each run is
 * killed after a minute and a half; each case's jest timeout outlasts its runs.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));
const WIDTH = 100;
const NOTE = `(cells cut to fit ${WIDTH} columns: --wide for the full width, --json for the values)`;
const SINCE = ['--since', '2020-01-01'];

const { COLUMNS: _inherited, ...environment } = process.env;
const tokentrail = (args: string[], cwd: string, columns: number | null = WIDTH) =>
  runProcess(process.execPath, [bin, ...args], {
    cwd,
    env: columns === null ? environment : { ...environment, COLUMNS: String(columns) },
    timeoutMs: 90_000,
  });

const linesOf = (text: string) => text.split('\n').slice(0, -1);
const widest = (text: string) => Math.max(...linesOf(text).map((line) => [...line].length));

afterAll(killRunningProcesses);

(built ? describe : describe.skip)('tables fit the terminal', () => {
  let cwd: string;
  const store = ['--store', 'examples.duckdb'];

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'tokentrail-width-'));
    expect((await tokentrail(['ingest', resolve(root, 'examples'), ...store], cwd)).code).toBe(0);
    writeFileSync(join(cwd, 'cut-short.json'), '{"Records":[{"eventVersion":');
    expect((await tokentrail(['ingest', 'cut-short.json', ...store], cwd)).code).toBe(3);
    const detect = await tokentrail(
      ['detect', ...store, ...SINCE, '--policy', resolve(root, 'docs/policy.example.yaml')],
      cwd,
    );
    expect(detect.code).toBe(0);
  }, 300_000);

  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it.each([
    ['query who-accessed', ['query', 'who-accessed', '--bucket', '*', ...SINCE]],
    ['query principals', ['query', 'principals', '--subject', '*', ...SINCE]],
    ['query failures', ['query', 'failures', ...SINCE]],
    ['query sql', ['query', 'sql', 'SELECT subject, principal, identity_provider FROM events']],
    ['alerts list', ['alerts', 'list']],
    ['quarantine list', ['quarantine', 'list']],
  ])(
    '%s: every line within COLUMNS=100, a line saying so, and whole with --wide',
    async (_name, args) => {
      const fitted = await tokentrail([...args, ...store], cwd);
      expect(fitted.code).toBe(0);
      expect(widest(fitted.stdout)).toBeLessThanOrEqual(WIDTH);
      expect(linesOf(fitted.stdout).at(-1)).toBe(NOTE);
      expect(fitted.stdout).toContain('…');

      const wide = await tokentrail([...args, ...store, '--wide'], cwd);
      expect(wide.code).toBe(0);
      expect(widest(wide.stdout)).toBeGreaterThan(WIDTH);
      expect(wide.stdout).not.toContain(NOTE);
      expect(wide.stdout).not.toContain('…');
    },
    180_000,
  );

  it('prints every cell whole into a pipe without COLUMNS, as scripts have always read it', async () => {
    const args = ['query', 'principals', '--subject', '*', ...SINCE, ...store];
    const piped = await tokentrail(args, cwd, null);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe((await tokentrail([...args, '--wide'], cwd)).stdout);
    expect(widest(piped.stdout)).toBeGreaterThan(WIDTH);
  }, 180_000);

  it('keeps the full values in --json, and cut cells keep both their ends', async () => {
    const args = ['query', 'principals', '--subject', '*', ...SINCE, ...store];
    const json = await tokentrail([...args, '--json'], cwd);
    expect(json.code).toBe(0);
    const rows = linesOf(json.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    const principal =
      'principal://iam.googleapis.com/projects/998877665544/locations/global/workloadIdentityPools/github-pool/subject/repo:acme/api:ref:refs/heads/main';
    expect(rows.map((row) => row.principal)).toContain(principal);
    expect(json.stdout).not.toContain('…');

    const table = (await tokentrail(args, cwd)).stdout;
    expect(table).not.toContain(principal);
    const cut = table.split(/\s+/).find((cell) => cell.startsWith('prin') && cell.endsWith('/main'));
    expect(cut).toMatch(/^prin[^…]*…[^…]*\/main$/);
    const [head, tail] = cut!.split('…') as [string, string];
    expect(principal.startsWith(head) && principal.endsWith(tail)).toBe(true);
  }, 180_000);

  it('alerts list keeps a prefix of each alert id that alerts ack takes', async () => {
    const [alert] = linesOf((await tokentrail(['alerts', 'list', '--json', ...store], cwd)).stdout).map(
      (line) => JSON.parse(line) as { alert_id: string },
    );
    const table = (await tokentrail(['alerts', 'list', ...store], cwd)).stdout;
    expect(table).toContain(`${alert!.alert_id.slice(0, 6)}…${alert!.alert_id.slice(-6)}`);
  }, 180_000);

  it("fits the demo's tables (npm start) and the demo store's trust scan", async () => {
    const demo = await tokentrail(['demo'], cwd);
    expect(demo.code).toBe(0);
    // A table runs from its heading line (capitals, two spaces apart) to the blank line after it.
    const lines = linesOf(demo.stdout);
    const tables: string[][] = [];
    lines.forEach((line, index) => {
      if (!/^[A-Z][A-Z …]* {2}[A-Z][A-Z …]*$/.test(line)) return;
      const end = lines.indexOf('', index);
      tables.push(lines.slice(index, end));
    });
    expect(tables.map((table) => table[0]!.split(/\s{2,}/)[0])).toEqual([
      'CLOUD',
      'SEVERITY',
      'HOP',
      'VERDICT',
    ]);
    for (const table of tables) for (const line of table) expect([...line].length).toBeLessThanOrEqual(WIDTH);
    expect(
      tables.some((table) => table.at(-1)!.startsWith(`(cells cut to fit ${WIDTH} columns: --wide`)),
    ).toBe(true);

    const demoStore = ['--store', '.tokentrail/demo.duckdb', '--since', '30d'];
    const trust = await tokentrail(['trust', 'scan', ...demoStore], cwd);
    expect(trust.code).toBe(4); // the demo's weak trusts
    expect(widest(trust.stdout.split('\n\n')[1]!)).toBeLessThanOrEqual(WIDTH);
    expect(linesOf(trust.stdout).at(-1)).toBe(NOTE);
    const full = await tokentrail(['trust', 'scan', ...demoStore, '--json'], cwd);
    expect(full.stdout).toContain('"principal":"arn:aws:iam::111122223333:role/github-deploy"');
    expect(widest((await tokentrail(['trust', 'scan', ...demoStore, '--wide'], cwd)).stdout)).toBeGreaterThan(
      WIDTH,
    );
  }, 240_000);
});
