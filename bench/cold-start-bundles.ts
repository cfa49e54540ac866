import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { parse } from 'yaml';

const ESBUILD_OPTIONS = new Set([
  'bundle',
  'minify',
  'sourcemap',
  'platform',
  'target',
  'format',
  'splitting',
  'mainFields',
  'banner',
  'external',
  'define',
  'loader',
  'keepNames',
  'treeShaking',
]);

interface ServerlessYaml {
  readonly custom: { readonly esbuild: Record<string, unknown> };
  readonly functions: Record<string, { readonly handler: string }>;
}

/**
 * The bundles serverless-esbuild makes, with the options serverless.yml gives it; `extra` entries
 * (name to source file) are bundled beside them with the same options.
 */
export async function buildLambdas(
  root: string,
  outdir: string,
  extra: Readonly<Record<string, string>> = {},
): Promise<Record<string, string>> {
  const config = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), {
    logLevel: 'error',
  }) as ServerlessYaml;
  const settings = config.custom.esbuild;
  // serverless-esbuild's own settings (exclude, packager, output folders) are not esbuild's.
  const esbuild = Object.fromEntries(
    Object.entries(settings).filter(([key]) => ESBUILD_OPTIONS.has(key)),
  ) as BuildOptions;
  const extension = typeof settings.outputFileExtension === 'string' ? settings.outputFileExtension : '.js';
  const entries: Record<string, string> = { ...extra };
  for (const [name, { handler }] of Object.entries(config.functions)) {
    entries[name] = join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);
  }
  // serverless-esbuild runs one build per handler file, so a handler's chunks are its own lazy
  // imports only, never pieces shared with the other handlers.
  for (const [name, entry] of Object.entries(entries)) {
    await build({
      ...esbuild,
      entryPoints: { [name]: entry },
      outdir,
      outExtension: { '.js': extension },
      logLevel: 'silent',
    });
  }
  return Object.fromEntries(Object.keys(entries).map((name) => [name, join(outdir, `${name}${extension}`)]));
}
