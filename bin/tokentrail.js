#!/usr/bin/env node
// Entry point of the `tokentrail` command: runs the compiled CLI (built by `npm install`'s prepare step).
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(
    'tokentrail: the CLI is not built yet; run `npm install` (or `npm run build`) in the project first.\n',
  );
  process.exit(1);
}

// The SDKs' notices about the environment (no GCE metadata server, a Node the AWS SDK will drop)
// are not this run's output; TOKENTRAIL_DEBUG=1 shows them.
cli.quietLibraryWarnings(process, process.env);

process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await cli.main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  stdinIsTTY: Boolean(process.stdin.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  version: packageJson.version,
  env: process.env,
  now: () => new Date(),
});
