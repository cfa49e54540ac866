import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compiledPolicyText } from './compiled-policy.js';
import { loadPolicy } from './load-policy.js';

/** Checks the YAML policy at `source` and gives its compiled text; PolicyError lists its problems. */
export async function compilePolicy(source: string): Promise<string> {
  return compiledPolicyText(await loadPolicy(source), basename(source));
}

/**
 * Checks the YAML policy at `source` and writes its compiled form into `directory`, named after
 * its content (`policy-<hash>.json`, so concurrent builds of different policies never collide).
 * Returns the written path. Throws PolicyError with every problem of the YAML file.
 */
export async function compilePolicyFile(source: string, directory: string): Promise<string> {
  const text = await compilePolicy(source);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const target = join(directory, `policy-${hash}.json`);
  await mkdir(directory, { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  await writeFile(partial, text);
  await rename(partial, target);
  return target;
}
