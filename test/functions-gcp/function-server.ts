/**
 * Runs the built Cloud Functions source under the real functions-framework binary, as its own
 * process, the way the gen2 runtime does (`functions-framework --target=<entry point>` in the
 * source directory), and talks to it over HTTP on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildGcpFunctions, type GcpBuildResult } from '../../functions/gcp/build.js';
import type { HttpDelivery } from './gcp-events.js';

export const ROOT = resolve(__dirname, '../..');
const FRAMEWORK_BIN = join(ROOT, 'node_modules/.bin/functions-framework');

export interface BuiltSource {
  /** A scratch directory holding `source/` (the upload) and room for stores. */
  readonly directory: string;
  readonly source: string;
  readonly build: GcpBuildResult;
  remove(): Promise<void>;
}

/**
 * Builds the upload into a temporary directory, with a policy compiled into policy.json when given.
 * In the cloud, `npm ci` puts the framework in source/node_modules; here a node_modules link beside
 * the source stands in for it (and lends the DuckDB binding the cloud build leaves out, for tests
 * that store in a DuckDB file).
 */
export async function buildSource(policyText: string | null = null): Promise<BuiltSource> {
  const directory = await mkdtemp(join(tmpdir(), 'tokentrail-gcp-'));
  const source = join(directory, 'source');
  let policy: string | null = null;
  if (policyText !== null) {
    policy = join(directory, 'policy-to-ship.yaml');
    await writeFile(policy, policyText);
  }
  const build = await buildGcpFunctions({ root: ROOT, outdir: source, policy });
  await symlink(join(ROOT, 'node_modules'), join(directory, 'node_modules'), 'dir');
  return { directory, source, build, remove: () => rm(directory, { recursive: true, force: true }) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export interface RunningFunction {
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far, line by line. */
  readonly output: string[];
  /** The JSON log lines (those with a severity), parsed. */
  logLines(): Record<string, unknown>[];
  send(delivery: HttpDelivery, method?: string): Promise<HttpAnswer>;
  stop(): Promise<void>;
}

function collectLines(child: ChildProcess, into: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      into.push(...lines);
    });
  }
}

function send(url: string, delivery: HttpDelivery, method: string): Promise<HttpAnswer> {
  return new Promise((done, fail) => {
    const call = httpRequest(url, { method, headers: delivery.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    call.on('error', fail);
    call.end(delivery.body);
  });
}

export interface StartOptions {
  readonly source: string;
  readonly target: string;
  readonly signatureType: 'cloudevent' | 'http';
  /** The function's whole environment (PATH is added): nothing leaks in from the test process. */
  readonly env: Record<string, string>;
}

/** Starts `functions-framework` and resolves once it listens. */
export async function startFunction(options: StartOptions): Promise<RunningFunction> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      FRAMEWORK_BIN,
      `--target=${options.target}`,
      `--signature-type=${options.signatureType}`,
      `--port=${port}`,
      `--source=${options.source}`,
    ],
    {
      cwd: options.source,
      env: { PATH: process.env.PATH ?? '', METADATA_SERVER_DETECTION: 'none', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  collectLines(child, output);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`no server after 25 s:\n${output.join('\n')}`)), 25_000);
    const poll = setInterval(() => {
      if (output.some((line) => line.startsWith('URL: http'))) {
        clearInterval(poll);
        clearTimeout(timer);
        ready();
      }
    }, 20);
    void exited.then(() => {
      clearInterval(poll);
      clearTimeout(timer);
      fail(new Error(`functions-framework exited:\n${output.join('\n')}`));
    });
  });

  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    output,
    logLines: () =>
      output
        .filter((line) => line.startsWith('{') && line.includes('"severity"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    send: (delivery, method = 'POST') => send(url, delivery, method),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
