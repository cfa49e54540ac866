/**
 * `npm run build && node dist/functions/gcp/build-main.js [--outdir DIR] [--policy FILE]`, from the
 * repository root: writes the Cloud Functions source (default dist/functions/gcp/bundle).
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { BUNDLED_POLICY, buildGcpFunctions, DEFAULT_GCP_OUTDIR, GCP_ENTRY } from './build.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { outdir: { type: 'string', default: DEFAULT_GCP_OUTDIR }, policy: { type: 'string' } },
  });
  const root = process.cwd();
  if (!existsSync(join(root, GCP_ENTRY))) {
    process.stderr.write(`no ${GCP_ENTRY} here: run this from the repository root (npm run build:gcp)\n`);
    return 1;
  }
  const result = await buildGcpFunctions({ root, outdir: values.outdir, policy: values.policy ?? null });
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  const where = relative(root, result.outdir) || '.';
  process.stdout.write(
    `${where}: ${result.files.join(', ')} (index.js ${(result.bundleBytes / 1024 ** 2).toFixed(1)} MiB)\n`,
  );
  if (values.policy) process.stdout.write(`set TOKENTRAIL_POLICY=${BUNDLED_POLICY} on the functions\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
