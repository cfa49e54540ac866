/**
 * `npm run build && node dist/functions/gcp/build-main.js [--outdir DIR] [--policy FILE] [--ranges DIR]`,
 * from the repository root: writes the Cloud Functions source (default dist/functions/gcp/bundle),
 * with the published IP ranges `tokentrail ranges update` wrote (default .tokentrail/ranges).
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RANGES_DIRECTORY } from '../../shared/adapters/ranges/range-files.js';
import { BUNDLED_POLICY, buildGcpFunctions, DEFAULT_GCP_OUTDIR, GCP_ENTRY } from './build.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      outdir: { type: 'string', default: DEFAULT_GCP_OUTDIR },
      policy: { type: 'string' },
      ranges: { type: 'string' },
    },
  });
  const root = process.cwd();
  if (!existsSync(join(root, GCP_ENTRY))) {
    process.stderr.write(`no ${GCP_ENTRY} here: run this from the repository root (npm run build:gcp)\n`);
    return 1;
  }
  const result = await buildGcpFunctions({
    root,
    outdir: values.outdir,
    policy: values.policy ?? null,
    ...(values.ranges === undefined ? {} : { ranges: values.ranges }),
  });
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  const where = relative(root, result.outdir) || '.';
  process.stdout.write(
    `${where}: ${result.files.join(', ')} (index.js ${(result.bundleBytes / 1024 ** 2).toFixed(1)} MiB)\n`,
  );
  if (values.policy) process.stdout.write(`set TOKENTRAIL_POLICY=${BUNDLED_POLICY} on the functions\n`);
  if (!result.files.some((file) => file.startsWith(`${DEFAULT_RANGES_DIRECTORY}/`))) {
    process.stderr.write(
      'note: no published IP ranges shipped (run tokentrail ranges update first); the functions will compare addresses by /24 and /48 only\n',
    );
  }
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
