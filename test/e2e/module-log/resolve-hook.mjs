import { appendFileSync } from 'node:fs';

/** Node's resolve hook (it runs on the loader thread): one resolved URL a line. */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
