import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../helpers/run-process.js';

export const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');

/**
 * One osls run (load the service, bundle with esbuild, package or invoke) takes 2 to 4 s on an idle
 * machine and several times that on a loaded 2-core one; past this it is killed, with esbuild.
 * The cases' jest timeouts outlast it, so a hung run is reported as such rather than as a timeout.
 */
export const SERVERLESS_RUN_TIMEOUT = 120_000;

export interface ServerlessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the project's osls (`npx serverless ...`) in the repository with no AWS account: dummy
 * credentials keep `invoke local` from probing for real ones, and each run bundles into its own
 * esbuild work folder inside the repository (removed afterwards), so runs never share a build.
 * Rejects if the run outlives `timeoutMs`.
 */
export async function runServerless(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = SERVERLESS_RUN_TIMEOUT,
): Promise<ServerlessRun> {
  const workFolder = `.esbuild-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TOKENTRAIL_ESBUILD_WORK_FOLDER: workFolder,
    AWS_ACCESS_KEY_ID: 'AKIDSERVERLESSTEST01',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    ...env,
  };
  try {
    const run = await runProcess(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv, timeoutMs });
    return { code: run.code ?? 1, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(join(ROOT, workFolder), { recursive: true, force: true });
  }
}
