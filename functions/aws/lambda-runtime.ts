import { processEnvironment } from '../../shared/adapters/config/process-environment.js';
import { checkGoogleCredentials } from '../../shared/adapters/gcp-auth/check-google-credentials.js';
import { parseFunctionConfig } from '../../shared/adapters/runtime/function-config.js';
import { lazyRuntime, startFunctionRuntime } from '../../shared/adapters/runtime/function-runtime.js';

/**
 * The adapters every handler uses, configured from the environment once per cold start and kept
 * while the instance is warm. Tests `reset()` it to close the store between cases. A BigQuery store
 * is reached through workload identity federation only: a missing credential config or a key file
 * stops the start with the fix, instead of requests going out unauthenticated.
 */
export const lambdaRuntime = lazyRuntime(async () => {
  const env = processEnvironment();
  const config = parseFunctionConfig(env);
  if (config.store.kind === 'bigquery') await checkGoogleCredentials(env, { awsFederation: true });
  return startFunctionRuntime(env, {}, config);
});
