/**
 * The lineage page on the demo store (issue 16: ready in under a second), in Debian's Chromium:
 * served by `tokentrail ui` (from navigation to the page saying it is drawn, the server's queries
 * included) and opened from the `report --html` file, alternating in the same rounds. Also the
 * server's own time for `GET /`, without the browser. Skipped when no browser is installed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runNode } from './run-node.js';

const ROOT = resolve('.');
const BIN = resolve(ROOT, 'bin/tokentrail.js');
const CHROMIUM = '/usr/bin/chromium';
const ROUNDS = Number(process.env.BENCH_PAGE_ROUNDS ?? 11);
const TARGET_MS = 1000;

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${median.toFixed(0)} ms (${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)})`;
}

const since = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

export async function pageReadyBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`page-ready: skipped, no browser at ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const folder = resolve('.bench/page-ready');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  // The demo writes its store under its working directory.
  const demo = spawn(process.execPath, [BIN, 'demo'], { cwd: folder, stdio: 'ignore' });
  const demoCode = await new Promise((done) => demo.on('close', done));
  if (demoCode !== 0) throw new Error(`demo exited ${demoCode}`);
  const store = join(folder, '.tokentrail/demo.duckdb');
  const report = join(folder, 'report.html');
  const written = await runNode([BIN, 'report', '--html', report, '--store', store], process.env);
  if (written.code !== 0) throw new Error(`report failed: ${written.stderr}`);

  const server = spawn(process.execPath, [BIN, 'ui', '--port', '0', '--store', store], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((done, fail) => {
    let seen = '';
    server.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
      if (match) done(match[1]!);
    });
    server.on('close', (code) => fail(new Error(`ui exited ${code}`)));
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const served: number[] = [];
  const file: number[] = [];
  const serverOnly: number[] = [];
  try {
    const open = async (address: string) => {
      const page = await browser.newPage();
      const started = process.hrtime.bigint();
      await page.goto(address);
      await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
      const ms = since(started);
      if ((await page.locator('g.node').count()) === 0) throw new Error(`${address} drew no node`);
      await page.close();
      return ms;
    };
    await open(url); // one warm-up: the browser's first page
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['served', 'file'] as const) : (['file', 'served'] as const);
      for (const which of order) {
        if (which === 'served') served.push(await open(url));
        else file.push(await open(`file://${report}`));
      }
      const started = process.hrtime.bigint();
      const response = await fetch(url);
      await response.text();
      serverOnly.push(since(started));
    }
  } finally {
    await browser.close();
    server.kill('SIGINT');
  }
  const medianServed = [...served].sort((a, b) => a - b)[Math.floor(served.length / 2)]!;
  console.log(`page-ready (demo store, ${ROUNDS} alternating rounds, target < ${TARGET_MS} ms):`);
  console.log(`  tokentrail ui, navigation to drawn:   ${summary(served)}`);
  console.log(`  report --html file, opened to drawn:  ${summary(file)}`);
  console.log(`  tokentrail ui, GET / alone (server):  ${summary(serverOnly)}`);
  console.log(`  served page ${medianServed < TARGET_MS ? 'meets' : 'misses'} the target`);
}
