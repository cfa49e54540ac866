import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Child processes for integration tests, each with a deadline: on a loaded machine a process can be
 * slow, but a hung one must neither outlive its test nor hold up the run. Each child leads its own
 * process group, so a kill also reaches what it started (osls starts esbuild, for one). The price:
 * Ctrl-C on jest does not reach that group, so a test file that starts children calls
 * killRunningProcesses in afterAll (jest's sandboxed `process` never sees the worker's 'exit').
 */
export interface ProcessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the child's standard input, which is then closed. */
  readonly input?: string | Buffer;
  /** The child and its group are killed after this long, and the run rejects saying so. */
  readonly timeoutMs: number;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is gone already; the child itself may not be
  }
}

/** Kills every child still running: for afterAll, after a case that gave up on its child. */
export function killRunningProcesses(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

/**
 * Starts a child in its own process group and tracks it until it exits; `timeoutMs` later it is
 * killed with its group. Resolves when the child has exited and its streams are closed.
 */
export function startProcess(
  command: string,
  args: readonly string[],
  options: Omit<ProcessOptions, 'input'>,
): { child: ChildProcess; exited: Promise<ProcessRun> } {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<ProcessRun>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (timedOut) {
        const tail = (text: string) => text.slice(-2000);
        reject(
          new Error(
            `${command} ${args.join(' ')} did not finish within ${options.timeoutMs} ms and was killed\n` +
              `stdout (end):\n${tail(stdout)}\nstderr (end):\n${tail(stderr)}`,
          ),
        );
      } else {
        resolve({ code, signal, stdout, stderr });
      }
    });
  });
  return { child, exited };
}

/** Runs a child to its end (see startProcess), feeding it `input` if given. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessRun> {
  const { child, exited } = startProcess(command, args, options);
  child.stdin?.on('error', () => {}); // a child that exits without reading its input is not an error here
  child.stdin?.end(options.input);
  return exited;
}
