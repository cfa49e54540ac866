#!/usr/bin/env node
/**
 * Rewrites the README's sample outputs with what their commands print (`npm run readme:samples`).
 *
 * A sample is a fenced block between `<!-- sample: COMMAND -->` and `<!-- /sample -->`. COMMAND is
 * `tokentrail ARGS...`, optionally after `NAME=value` settings for its environment (COLUMNS, say),
 * with single or double quotes as in a shell; nothing else of a shell is understood. Each command runs
 * through bin/tokentrail.js (so against dist/: build first) in a scratch directory holding a copy of
 * examples/ and the default store made by `tokentrail ingest examples/`, which is what a user in the
 * repository root has after running that command; the environment's TOKENTRAIL_* and COLUMNS are
 * left out, so only the marker decides. The block gets the command's standard output; a command that
 * fails stops the script.
 *
 *   node scripts/readme-samples.mjs            rewrite README.md
 *   node scripts/readme-samples.mjs --check    change nothing; exit 1 naming each block that differs
 *   --readme FILE                              another file than README.md (the tests use a copy)
 *   --json                                     with --check: one JSON array of the blocks and outputs
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/tokentrail.js');
const TIMEOUT_MS = 60_000;
const SAMPLE = /^<!-- sample: (.+?) -->\n```[^\n]*\n([\s\S]*?)```\n<!-- \/sample -->$/gm;

/** Splits a marker's command as a shell would for plain words and quotes. */
export function splitCommand(text) {
  const words = [];
  let word = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated ${c} in: ${text}`);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  const env = {};
  while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift().split('=');
    env[name] = value.join('=');
  }
  if (words.shift() !== 'tokentrail') throw new Error(`a sample runs tokentrail: ${text}`);
  return { env, args: words };
}

/** The samples of a README: each marker's command, its line and the output the block holds. */
export function findSamples(readme) {
  return [...readme.matchAll(SAMPLE)].map((match) => ({
    command: match[1],
    line: readme.slice(0, match.index).split('\n').length,
    shown: match[2],
  }));
}

function baseEnvironment() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('TOKENTRAIL_') || name === 'COLUMNS') delete env[name];
  }
  return env;
}

function run(args, cwd, env) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `tokentrail ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/** Runs every sample's command in a scratch copy of the examples with their store; returns the outputs. */
export function printedOutputs(samples) {
  if (!existsSync(join(root, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run npm run build first');
  }
  const cwd = mkdtempSync(join(tmpdir(), 'tokentrail-readme-'));
  try {
    cpSync(join(root, 'examples'), join(cwd, 'examples'), { recursive: true });
    const base = baseEnvironment();
    run(['ingest', '--no-progress', 'examples/'], cwd, base);
    return samples.map(({ command }) => {
      const { env, args } = splitCommand(command);
      const output = run(args, cwd, { ...base, ...env });
      return output === '' || output.endsWith('\n') ? output : `${output}\n`;
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

function main(argv) {
  const check = argv.includes('--check');
  const json = argv.includes('--json');
  const at = argv.indexOf('--readme');
  const path = resolve(at >= 0 ? argv[at + 1] : join(root, 'README.md'));
  const readme = readFileSync(path, 'utf8');
  const samples = findSamples(readme);
  const outputs = printedOutputs(samples);
  if (check) {
    const differing = samples.filter((sample, i) => sample.shown !== outputs[i]);
    if (json) {
      const report = samples.map((sample, i) => ({ ...sample, printed: outputs[i] }));
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      for (const { command, line } of differing) {
        process.stderr.write(
          `${relative(process.cwd(), path)}:${line}: the sample of \`${command}\` differs from what it prints\n`,
        );
      }
      if (differing.length > 0) process.stderr.write('run npm run readme:samples to rewrite them\n');
    }
    return differing.length > 0 ? 1 : 0;
  }
  let i = 0;
  const rewritten = readme.replace(SAMPLE, (_block, command) => {
    const output = outputs[i++];
    return `<!-- sample: ${command} -->\n\`\`\`\n${output}\`\`\`\n<!-- /sample -->`;
  });
  if (rewritten !== readme) writeFileSync(path, rewritten);
  process.stdout.write(
    `${samples.length} samples in ${relative(process.cwd(), path)}${rewritten === readme ? ', unchanged' : ' rewritten'}\n`,
  );
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`readme-samples: ${error.message}\n`);
    process.exitCode = 1;
  }
}
