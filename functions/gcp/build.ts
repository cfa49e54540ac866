import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { compilePolicy } from '../../shared/adapters/policy/compile-policy-file.js';
import {
  DEFAULT_RANGES_DIRECTORY,
  RANGE_FILES,
  RANGE_KINDS,
} from '../../shared/adapters/ranges/range-files.js';
import { RANGE_DOCUMENT_PARSERS } from '../../shared/core/network/index.js';
import { type Lockfile, lockfileSubset } from './lockfile-subset.js';

export const GCP_ENTRY = 'functions/gcp/index.ts';
export const DEFAULT_GCP_OUTDIR = 'dist/functions/gcp/bundle';
/** The name a policy file gets in the upload; set TOKENTRAIL_POLICY to it. */
export const BUNDLED_POLICY = 'policy.json';

const FRAMEWORK = '@google-cloud/functions-framework';

/**
 * Left out of the bundle: the framework, because it must be the very module that serves the
 * functions index.js registers (Cloud Build installs it from package.json); DuckDB, a native
 * binding the cloud has no use for (it stores in BigQuery); the AWS SDKs behind ssm: and
 * secretsmanager: references, which mean nothing on GCP.
 */
const EXTERNAL = [FRAMEWORK, '@duckdb/node-api', '@aws-sdk/*'];

export interface GcpBuildOptions {
  /** The repository root (holds package.json, package-lock.json and functions/gcp). */
  readonly root: string;
  readonly outdir: string;
  /** A YAML policy file: checked (a problem fails the build) and shipped compiled, as policy.json. */
  readonly policy?: string | null;
  /**
   * The published IP ranges to ship (what `tokentrail ranges update` wrote): default the root's
   * .tokentrail/ranges, null none. Each file there is checked (a malformed one fails the build) and
   * shipped under the same relative path, where deployedIpRanges reads it.
   */
  readonly ranges?: string | null;
}

export interface GcpBuildResult {
  readonly outdir: string;
  readonly files: readonly string[];
  readonly bundleBytes: number;
  readonly warnings: readonly string[];
}

interface RootPackage {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** The ranges files a directory holds, each read once and checked: the text shipped is the text checked. */
async function readRangeFiles(directory: string): Promise<{ name: string; text: string }[]> {
  const found: { name: string; text: string }[] = [];
  for (const kind of RANGE_KINDS) {
    const name = RANGE_FILES[kind];
    const path = join(directory, name);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text === null) continue;
    try {
      RANGE_DOCUMENT_PARSERS[kind](text);
    } catch (error) {
      throw new Error(`${path}: ${(error as Error).message} (run tokentrail ranges update)`, {
        cause: error,
      });
    }
    found.push({ name, text });
  }
  return found;
}

/**
 * Builds the source a gen2 Cloud Function deploys: an ES module entry (index.js) and its lazily
 * loaded chunks with tokentrail and its libraries (google-auth-library above all), the policy
 * compiled to JSON when one is given, a package.json whose only dependency is the functions
 * framework pinned to the tested version, and a lockfile cut from this repository's, so the build
 * in the cloud (`npm ci`) installs exactly what ran here.
 */
export async function buildGcpFunctions(options: GcpBuildOptions): Promise<GcpBuildResult> {
  const root = resolve(options.root);
  const outdir = resolve(root, options.outdir);
  const rootPackage = await readJson<RootPackage>(join(root, 'package.json'));
  const frameworkVersion = rootPackage.dependencies?.[FRAMEWORK];
  if (!frameworkVersion) throw new Error(`package.json does not depend on ${FRAMEWORK}`);
  // Checked before anything is built: a policy with a typo fails here, not in every cold start.
  const policy = options.policy ? await compilePolicy(resolve(root, options.policy)) : null;
  const ranges =
    options.ranges === null
      ? []
      : await readRangeFiles(resolve(root, options.ranges ?? DEFAULT_RANGES_DIRECTORY));

  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { index: join(root, GCP_ENTRY) },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // ES modules with splitting: each lazy `await import()` (the BigQuery store, the secret
    // clients) becomes a chunk loaded on first use, so importing index.js stays cheap.
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Bundled CommonJS dependencies call require() for Node built-ins; ESM has no require of its own.
    banner: {
      js: "import { createRequire as __tokentrailCreateRequire } from 'node:module'; const require = __tokentrailCreateRequire(import.meta.url);",
    },
    external: EXTERNAL,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    logLevel: 'silent',
  });

  const uploadPackage = {
    name: 'tokentrail-gcp-functions',
    version: rootPackage.version ?? '0.0.0',
    private: true,
    description:
      'tokentrail Cloud Functions: ingestPubSub, ingestAuditLog, scheduledDetect (built, do not edit)',
    type: 'module',
    main: 'index.js',
    dependencies: { [FRAMEWORK]: frameworkVersion },
  };
  const lock = lockfileSubset(await readJson<Lockfile>(join(root, 'package-lock.json')), {
    name: uploadPackage.name,
    version: uploadPackage.version,
    dependencies: uploadPackage.dependencies,
  });
  await writeFile(join(outdir, 'package.json'), `${JSON.stringify(uploadPackage, null, 2)}\n`);
  await writeFile(join(outdir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  const files = ['index.js', 'index.js.map', 'index.js.LEGAL.txt', 'package.json', 'package-lock.json'];
  if (policy !== null) {
    await writeFile(join(outdir, BUNDLED_POLICY), policy);
    files.push(BUNDLED_POLICY);
  }
  if (ranges.length > 0) await mkdir(join(outdir, DEFAULT_RANGES_DIRECTORY), { recursive: true });
  for (const { name, text } of ranges) {
    const shipped = join(DEFAULT_RANGES_DIRECTORY, name);
    await writeFile(join(outdir, shipped), text);
    files.push(shipped);
  }
  const present: string[] = [];
  for (const file of files) {
    if (await stat(join(outdir, file)).catch(() => null)) present.push(file);
  }
  return {
    outdir,
    files: present,
    bundleBytes: (await stat(join(outdir, 'index.js'))).size,
    warnings: result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`),
  };
}
