import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killRunningProcesses, runProcess } from '../helpers/run-process.js';

/**
 * What the built CLI loads for a command, read from Node's own resolve hook (no timing): the
 * start-up path must not pull in a store, a cloud SDK or a command it does not run.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const register = resolve(__dirname, 'module-log/register.mjs');
const built = existsSync(resolve(root, 'dist/cli/main.js'));
const version: string = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version;

const HEAVY = ['@duckdb/', '@aws-sdk/', '@smithy/', '@google-cloud/', 'google-auth-library/', 'yaml/'];

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tokentrail-modules-'));
});
afterAll(() => {
  killRunningProcesses();
  rmSync(scratch, { recursive: true, force: true });
});

async function runLogged(name: string, args: string[]) {
  const log = join(scratch, `${name}.log`);
  const run = await runProcess(process.execPath, ['--import', register, bin, ...args], {
    env: { ...process.env, MODULE_LOG: log },
    timeoutMs: 60_000,
  });
  const modules = existsSync(log) ? [...new Set(readFileSync(log, 'utf8').trim().split('\n'))] : [];
  return { ...run, modules };
}

const heavyIn = (modules: readonly string[]) =>
  modules.filter((url) => HEAVY.some((name) => url.includes(`/node_modules/${name}`)));
const commandsIn = (modules: readonly string[]) =>
  modules.filter((url) => url.includes('/dist/cli/commands/'));

(built ? describe : describe.skip)('what the tokentrail command loads', () => {
  it('--version and --help load no store, no cloud SDK, no YAML parser and no command', async () => {
    for (const args of [
      ['--version'],
      ['--help'],
      ['detect', '--help'],
      ['backfill', 'aws', '--help'],
      ['ranges', 'update', '--help'],
      ['ui', '--help'],
      ['report', '--help'],
    ]) {
      const run = await runLogged(args.join('-'), args);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(args[0] === '--version' ? version : 'Usage: tokentrail');
      expect(run.modules).toContainEqual(expect.stringContaining('/node_modules/commander/'));
      expect(heavyIn(run.modules)).toEqual([]);
      expect(commandsIn(run.modules)).toEqual([]);
    }
  }, 150_000);

  it('a DuckDB ingest and detect load DuckDB but no cloud SDK, and no YAML parser without a policy', async () => {
    const store = join(scratch, 'store.duckdb');
    const ingest = await runLogged('ingest', ['ingest', resolve(root, 'examples'), '--store', store]);
    expect(ingest.code).toBe(0);
    const detect = await runLogged('detect-no-policy', ['detect', '--store', store]);
    expect(detect.code).toBe(0);
    for (const run of [ingest, detect]) {
      const heavy = heavyIn(run.modules);
      expect(heavy).toContainEqual(expect.stringContaining('/node_modules/@duckdb/'));
      expect(heavy.filter((url) => !url.includes('/node_modules/@duckdb/'))).toEqual([]);
    }
    expect(commandsIn(ingest.modules)).toEqual([expect.stringContaining('/dist/cli/commands/ingest.js')]);
  }, 150_000);

  it('a command loads its own modules when it runs (so the log above would show them)', async () => {
    const run = await runLogged('detect', ['detect', '--policy', join(scratch, 'missing.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('missing.yaml');
    expect(commandsIn(run.modules)).toContainEqual(expect.stringContaining('/dist/cli/commands/detect.js'));
    expect(heavyIn(run.modules)).toContainEqual(expect.stringContaining('/node_modules/yaml/'));
  }, 90_000);
});
