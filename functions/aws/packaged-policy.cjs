'use strict';
/**
 * serverless.yml's `${file(./functions/aws/packaged-policy.cjs)}`: checks the YAML policy named by
 * `--param=policyFile=FILE` and compiles it to `.tokentrail/packaged/policy-<hash>.json`, the file packaged
 * with the functions and named by TOKENTRAIL_POLICY (see shared/adapters/policy/compiled-policy.ts).
 * A policy with a problem stops `serverless package` and `deploy` with its line and column, instead
 * of failing every cold start. Without a policy file it resolves to null.
 *
 * It runs the compiled CLI code (dist/), which `npm install` builds.
 */
const { existsSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = resolve(__dirname, '../..');
const COMPILER = join(ROOT, 'dist/shared/adapters/policy/compile-policy-file.js');
const OUT = join(ROOT, '.tokentrail', 'packaged');
/** One compilation per policy file and process: serverless.yml names the result twice. */
const compiled = new Map();

/** An error serverless prints as its message alone: a policy problem needs no stack trace. */
function plain(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

async function compile(source) {
  // Named as the user would (relative to where serverless runs), for the problems' positions.
  const file = relative(process.cwd(), resolve(ROOT, source));
  if (!existsSync(file)) throw plain(`policyFile ${source}: no such file`);
  if (!existsSync(COMPILER)) throw plain('tokentrail is not built: run npm install (or npm run build) first');
  const { compilePolicyFile } = await import(pathToFileURL(COMPILER).href);
  try {
    return relative(ROOT, await compilePolicyFile(file, OUT));
  } catch (error) {
    throw error && error.name === 'PolicyError' ? plain(`policyFile ${error.message}`) : error;
  }
}

module.exports = async ({ resolveVariable }) => {
  const source = await resolveVariable("param:policyFile, ''");
  if (!source) return null;
  if (!compiled.has(source)) {
    compiled.set(
      source,
      compile(source).catch((error) => {
        compiled.delete(source);
        throw error;
      }),
    );
  }
  return compiled.get(source);
};
