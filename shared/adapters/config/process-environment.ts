import type { Env } from './settings.js';

/**
 * This process's environment: the one place the deployed functions take `process.env` from (a
 * test checks). Entry points take it once and pass it on; TOKENTRAIL_* settings are read from it
 * by readSettings, platform variables (the Lambda's credentials, FUNCTION_TARGET,
 * GOOGLE_CLOUD_PROJECT) by the adapters it is given to.
 */
export function processEnvironment(): Env {
  return process.env;
}
