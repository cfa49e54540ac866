import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');

export interface ServerlessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the project's osls (`npx serverless ...`) in the repository with no AWS account: dummy
 * credentials keep `invoke local` from probing for real ones, and each run bundles into its own
 * esbuild work folder inside the repository (removed afterwards), so runs never share a build.
 */
export function runServerless(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 90_000,
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
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: childEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        rmSync(join(ROOT, workFolder), { recursive: true, force: true });
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
