import type { Readable, Writable } from 'node:stream';

/** Everything the CLI touches of its process, passed in so tests can run it in-process. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly version: string;
  /** The environment, read once (TOKENTRAIL_STORE, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The clock queries and quarantine times are relative to. */
  now(): Date;
}

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  failure: 1, // usage or I/O error
  rejected: 3, // the run finished, but some records were quarantined
} as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
