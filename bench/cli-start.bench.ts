/**
 * Start-up of the installed command (bin/tokentrail.js over dist/) against `node -e 0`, in the same
 * rounds, alternating and rotating the order so machine noise hits every case alike. Each run's
 * output is checked, so a command that breaks cannot look fast. Target (issue 12): `--version`
 * ≤ 2× `node -e 0`. On Node 22.1+ the same cases also run with NODE_COMPILE_CACHE set, to see
 * whether Node's on-disk compile cache pays. BENCH_CLI_COMPARE=path/to/other/bin/tokentrail.js adds
 * the same cases for another build (the one before a change, say), measured in the same rounds.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { runNode } from './run-node.js';

const ROOT = resolve('.');
const BIN = resolve(ROOT, 'bin/tokentrail.js');
const ONE_EVENT = resolve(ROOT, 'examples/aws/eventbridge-assume-role-with-web-identity.json');
const COMPILE_CACHE = resolve('.bench/cli-start/compile-cache');
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 21);
const VERSION_TARGET = 2;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Throws when the run's output is not what the command prints. */
  readonly check: (stdout: string, stderr: string) => void;
}

async function timeCase(measured: Case): Promise<number> {
  const run = await runNode(measured.args, measured.env);
  if (run.code !== 0) throw new Error(`${measured.name} exited ${run.code}:\n${run.stderr}`);
  measured.check(run.stdout, run.stderr);
  return run.ms;
}

function expectText(name: string, text: string, wanted: string): void {
  if (!text.includes(wanted)) throw new Error(`${name} did not print ${JSON.stringify(wanted)}:\n${text}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function compileCacheAvailable(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
}

function cliCases(bin: string, label: string, env: NodeJS.ProcessEnv, version: string): Case[] {
  const named = (name: string) => (label ? `${name} ${label}` : name);
  return [
    {
      name: named('tokentrail --version'),
      args: [bin, '--version'],
      env,
      check: (stdout) => {
        if (stdout.trim() !== version) throw new Error(`--version printed ${JSON.stringify(stdout)}`);
      },
    },
    {
      name: named('tokentrail --help'),
      args: [bin, '--help'],
      env,
      check: (stdout) => {
        for (const command of ['normalize', 'ingest', 'detect', 'query', 'backfill', 'doctor', 'sinks']) {
          expectText('--help', stdout, `  ${command} `);
        }
      },
    },
    {
      name: named('tokentrail query who-accessed --help'),
      args: [bin, 'query', 'who-accessed', '--help'],
      env,
      check: (stdout) => expectText('query who-accessed --help', stdout, '--bucket <glob>'),
    },
    {
      name: named('tokentrail normalize (one event)'),
      args: [bin, 'normalize', '--no-progress', ONE_EVENT],
      env,
      check: (stdout, stderr) => {
        expectText('normalize', stderr, '"rows":1,');
        if (stdout.trim().split('\n').length !== 1) throw new Error(`normalize printed ${stdout}`);
      },
    },
  ];
}

export async function cliStartBench(): Promise<void> {
  const version: string = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).version;
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_COMPILE_CACHE;
  const baseline: Case = { name: 'node -e 0', args: ['-e', '0'], env, check: () => {} };
  const cases = [baseline, ...cliCases(BIN, '', env, version)];
  const compare = process.env.BENCH_CLI_COMPARE;
  if (compare) cases.push(...cliCases(resolve(compare), '(compared build)', env, version));
  if (compileCacheAvailable()) {
    rmSync(COMPILE_CACHE, { recursive: true, force: true });
    mkdirSync(COMPILE_CACHE, { recursive: true });
    cases.push(...cliCases(BIN, '(compile cache)', { ...env, NODE_COMPILE_CACHE: COMPILE_CACHE }, version));
  }

  // One untimed run of each warms the file cache (and fills the compile cache) and checks output.
  for (const measured of cases) await timeCase(measured);
  const samples = new Map<Case, number[]>(cases.map((measured) => [measured, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let index = 0; index < cases.length; index++) {
      const measured = cases[(index + round) % cases.length]!;
      samples.get(measured)!.push(await timeCase(measured));
    }
  }

  const base = samples.get(baseline)!;
  console.log(`\nCLI start: ${ROUNDS} rounds, order rotated each round; wall time of a fresh process`);
  console.log(`  node -e 0: median ${median(base).toFixed(0)} ms (Node ${process.versions.node})`);
  if (compare) console.log(`  compared build: ${resolve(compare)}`);
  console.log(`  ${''.padEnd(52)} median    × node -e 0, median (min to max of the rounds)`);
  for (const measured of cases.slice(1)) {
    const times = samples.get(measured)!;
    const ratios = times.map((ms, round) => ms / base[round]!);
    const isVersion = measured.name.startsWith('tokentrail --version');
    const verdict = isVersion ? (median(ratios) <= VERSION_TARGET ? ' ok' : ' OVER') : '';
    const target = isVersion ? ` (≤ ${VERSION_TARGET}×)` : '';
    console.log(
      `  ${`${measured.name}${target}`.padEnd(52)} ${median(times).toFixed(0).padStart(4)} ms  ` +
        `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)})${verdict}`,
    );
  }
  if (!compileCacheAvailable()) {
    console.log(
      `  Node's compile cache (NODE_COMPILE_CACHE) needs Node 22.1+: not measured on ${process.version}`,
    );
  }
}
