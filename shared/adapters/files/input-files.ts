import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export interface Input {
  /** As the user named it (`-` for standard input). */
  readonly name: string;
  open(): AsyncIterable<Uint8Array>;
  /** Called once the input has been consumed without error; resumable inputs (s3://) checkpoint here. */
  consumed?(): Promise<void>;
}

const READ_CHUNK = 256 * 1024;

/** CloudTrail writes digest files beside log files; they hold hashes, not events. */
function isSkippedPath(path: string): boolean {
  return /(^|\/)CloudTrail-Digest(\/|$)/.test(path) || /(^|\/)\.[^/]+$/.test(path);
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (isSkippedPath(path)) continue;
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * Expands the command line into inputs: files as named, directories recursively (sorted, digest
 * files and dot-files left out), `-` for standard input. A missing path rejects with the fs error.
 */
export async function resolveInputs(names: readonly string[], stdin: Readable): Promise<Input[]> {
  const inputs: Input[] = [];
  for (const name of names) {
    if (name === '-') {
      inputs.push({ name, open: () => stdin });
      continue;
    }
    const info = await stat(name);
    const paths = info.isDirectory() ? await filesUnder(name) : [name];
    for (const path of paths) {
      inputs.push({ name: path, open: () => createReadStream(path, { highWaterMark: READ_CHUNK }) });
    }
  }
  return inputs;
}
