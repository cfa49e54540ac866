import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Json, pubSubPush } from './cold-start-events.js';

/** One way of starting a handler cold: `run` gives the wall time of one fresh process, in ms. */
export interface Probe {
  run(env: NodeJS.ProcessEnv): Promise<number>;
}

const FRAMEWORK_MAIN = 'node_modules/@google-cloud/functions-framework/build/src/main.js';
// The framework's registry, the module its `cloudEvent()` writes to (the package exports only the
// testing entry, which loads a test server and costs about 100 ms that the cloud never pays).
const FRAMEWORK_REGISTRY = 'node_modules/@google-cloud/functions-framework/build/src/function_registry.js';

/** Runs `node ARGS` to its end; async, so the stand-ins in this process answer meanwhile. */
export function timeOnce(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) done(elapsed);
      else fail(new Error(`node ${args.join(' ')} failed:\n${stderr}`));
    });
  });
}

/** A script run as `node FILE`. */
export function scriptProbe(file: string, script: string): Probe {
  writeFileSync(file, script);
  return { run: (env) => timeOnce([file], env) };
}

export const lambdaImport = (bundle: string) => `await import(${JSON.stringify(bundle)});\n`;

/**
 * Exits once the handler has returned: Lambda freezes the process there, and idle keep-alive
 * sockets or timers left behind would otherwise add their wait to the figure.
 */
export const lambdaInvoke = (bundle: string, event: unknown) =>
  `const { handler } = await import(${JSON.stringify(bundle)});
await handler(${JSON.stringify(event)}, { awsRequestId: 'bench' });
process.exit(0);
`;

/** The framework first: it is what loads the bundle in the cloud, and the bundle registers into it. */
export const gcpImport = (bundle: string) => `const { createRequire } = await import('node:module');
createRequire(${JSON.stringify(bundle)})('@google-cloud/functions-framework');
await import(${JSON.stringify(bundle)});
`;

/** In-process: the framework, the bundle, then the registered function called with one event. */
export function gcpInvoke(root: string, bundle: string, functionName: string, entry: Json): string {
  const push = pubSubPush(entry);
  const event = {
    specversion: '1.0',
    id: 'bench',
    source: push.headers['ce-source'],
    type: push.headers['ce-type'],
    data: JSON.parse(push.body),
  };
  return `const { createRequire } = await import('node:module');
const require = createRequire(${JSON.stringify(bundle)});
require('@google-cloud/functions-framework');
await import(${JSON.stringify(bundle)});
const { getRegisteredFunction } = require(${JSON.stringify(join(root, FRAMEWORK_REGISTRY))});
await getRegisteredFunction(${JSON.stringify(functionName)}).userFunction(${JSON.stringify(event)});
process.exit(0);
`;
}

/** The framework serving a function that does nothing: what any Cloud Function on it starts with. */
export function noopFunction(outdir: string): string {
  const directory = join(outdir, 'noop');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'package.json'), '{"type":"module","main":"index.js"}\n');
  writeFileSync(
    join(directory, 'index.js'),
    "import * as functions from '@google-cloud/functions-framework';\nfunctions.cloudEvent('noop', () => {});\n",
  );
  return directory;
}

let nextPort = 18_700;

/**
 * As Cloud Run starts a function: the functions framework's own server on the bundle, from
 * process start until it has answered one binary CloudEvent (polled every 2 ms until it listens).
 */
export function serverProbe(root: string, bundleDir: string, functionName: string, entry: Json): Probe {
  const request = pubSubPush(entry);
  return {
    async run(env) {
      const port = nextPort++;
      const started = process.hrtime.bigint();
      const child = spawn(
        process.execPath,
        [
          join(root, FRAMEWORK_MAIN),
          `--target=${functionName}`,
          '--signature-type=cloudevent',
          `--port=${port}`,
          `--source=${bundleDir}`,
        ],
        { env, stdio: 'ignore' },
      );
      try {
        for (;;) {
          const response = await fetch(`http://127.0.0.1:${port}/`, {
            method: 'POST',
            headers: request.headers,
            body: request.body,
          }).catch(() => null);
          if (response) {
            if (!response.ok) throw new Error(`${functionName} answered ${response.status}`);
            return Number(process.hrtime.bigint() - started) / 1e6;
          }
          if (child.exitCode !== null) throw new Error(`${functionName} exited with ${child.exitCode}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      } finally {
        child.kill();
      }
    },
  };
}
