import { spawn } from 'node:child_process';

export interface NodeRun {
  /** Wall time from spawn to close. */
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node ARGS...` in a fresh process and collects what it printed. */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv): Promise<NodeRun> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) =>
      done({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stdout, stderr }),
    );
  });
}
