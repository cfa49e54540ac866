'use strict';
/**
 * serverless.yml's `${file(./functions/aws/packaged-credentials.cjs)}`: the Google credential
 * configuration named by `--param=gcpCredentialsFile=FILE` (default gcp-wif-credentials.json),
 * packaged with the functions and named by GOOGLE_APPLICATION_CREDENTIALS. `serverless package` and
 * `deploy` stop, with the command that creates it, unless it is a workload identity federation
 * config for AWS (`external_account`, no secret): otherwise the Lambdas would deploy and then refuse
 * every cold start. The judgement of the config is the one the functions make at cold start
 * (shared/adapters/gcp-auth/check-google-credentials.ts), run from the compiled code (dist/), which
 * `npm install` builds.
 *
 * Other commands (`invoke local` with a DuckDB store, `print`, `remove`) need no such file: for them it
 * resolves to the parameter as given.
 */
const { existsSync, readFileSync, statSync } = require('node:fs');
const { isAbsolute, join, relative, resolve, sep } = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = resolve(__dirname, '../..');
const CHECKS = join(ROOT, 'dist/shared/adapters/gcp-auth/check-google-credentials.js');

/** An error serverless prints as its message alone. */
function plain(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** osls's rule (lib/cli/resolve-input.js): the command is the words before the first option. */
function packages(argv) {
  const first = argv.findIndex((arg) => arg.startsWith('-'));
  const [command, sub] = argv.slice(0, first === -1 ? argv.length : first);
  return command === 'package' || (command === 'deploy' && sub !== 'list');
}

function createCommand(file) {
  const target = /^[\w./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
  return `(cd infra/gcp && terraform output -raw lambda_credential_config) > ${target}`;
}

async function check(source) {
  const path = resolve(ROOT, source);
  const file = relative(ROOT, path).split(sep).join('/');
  const inside = file !== '' && file !== '..' && !file.startsWith('../') && !isAbsolute(file);
  const fail = (problem) =>
    plain(
      `gcpCredentialsFile ${source}: ${problem}. The functions reach BigQuery only through a workload ` +
        `identity federation config (no static keys); create it, after terraform apply in infra/gcp, with: ` +
        createCommand(inside ? file : 'gcp-wif-credentials.json'),
    );
  if (!inside)
    throw fail('outside the service directory, so it cannot be packaged where the functions read it');
  let text;
  try {
    if (!statSync(path).isFile()) throw fail('not a file');
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') throw fail('no such file');
    throw error.code ? fail(`cannot be read (${error.code})`) : error;
  }
  let config;
  try {
    config = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, which may be a secret in another format.
    throw fail('not JSON');
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw fail('not a credential configuration (a JSON object)');
  }
  if (!existsSync(CHECKS)) throw plain('tokentrail is not built: run npm install (or npm run build) first');
  const { staticSecretIn, notAwsFederation } = await import(pathToFileURL(CHECKS).href);
  const secret = staticSecretIn(config);
  if (secret !== undefined) {
    throw fail(
      `holds a static secret (${secret}), which tokentrail refuses to package: ` +
        'delete it (revoke a key in the Google Cloud console)',
    );
  }
  const problem = notAwsFederation(config);
  if (problem !== undefined) throw fail(`not a workload identity federation config for AWS: ${problem}`);
  // Relative to the package root, which is the Lambda working directory (/var/task).
  return file;
}

module.exports = async ({ resolveVariable }) => {
  const source = await resolveVariable('param:gcpCredentialsFile');
  return packages(process.argv.slice(2)) ? check(source) : source;
};
