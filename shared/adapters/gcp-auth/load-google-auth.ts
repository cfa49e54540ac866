import type { GoogleAuth } from 'google-auth-library';

/**
 * google-auth-library's GoogleAuth class, loaded on first use (it is a large module).
 *
 * A CommonJS package imported from an ES module bundle split into chunks (esbuild --splitting, as
 * the deployed functions are built) comes back with its exports under `default` only; Node and
 * jest also give them as named exports. Both are looked at.
 */
export async function loadGoogleAuth(): Promise<typeof GoogleAuth> {
  const library = await import('google-auth-library');
  return library.GoogleAuth ?? library.default.GoogleAuth;
}
