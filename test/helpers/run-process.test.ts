import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { killRunningProcesses, runProcess, startProcess } from './run-process.js';

const node = process.execPath;

/** Gone, or a zombie that only its new parent can still reap: either way it runs no more. */
function stopped(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync('/proc')) {
    if (!existsSync(stat)) return true;
    try {
      return readFileSync(stat, 'utf8')
        .replace(/^.*\) /s, '')
        .startsWith('Z');
    } catch {
      return true;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Asks up to `attempts` times, a little apart: the kernel reaps a killed process asynchronously. */
async function eventuallyStopped(pid: number, attempts = 200): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (stopped(pid)) return true;
    await sleep(25);
  }
  return false;
}

afterAll(killRunningProcesses);

describe('runProcess', () => {
  it('feeds the input and gives back the exit code and both streams', async () => {
    const run = await runProcess(
      node,
      ['-e', 'process.stdin.pipe(process.stdout); process.stderr.write("err"); process.exitCode = 3'],
      { input: 'echoed', timeoutMs: 60_000 },
    );
    expect(run).toEqual({ code: 3, signal: null, stdout: 'echoed', stderr: 'err' });
  });

  it('kills a child that outlives its deadline, and says so', async () => {
    const { child, exited } = startProcess(node, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 500 });
    await expect(exited).rejects.toThrow(/did not finish within 500 ms and was killed/);
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('kills what is still running when asked, with what it started', async () => {
    // The child starts a grandchild (as osls starts esbuild), prints its pid, then hangs.
    const script = `
      const { spawn } = require('node:child_process');
      const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(grandchild.pid);
      setInterval(() => {}, 1000);
    `;
    const { child, exited } = startProcess(node, ['-e', script], { timeoutMs: 600_000 });
    const grandchild = await new Promise<number>((resolve) =>
      child.stdout?.once('data', (chunk: string) => resolve(Number(chunk.trim()))),
    );
    killRunningProcesses();
    await expect(exited).resolves.toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(await eventuallyStopped(grandchild)).toBe(true);
  });
});
