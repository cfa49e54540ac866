import type { Dirent } from 'node:fs';
import { createReadStream } from 'node:fs';
import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export interface Input {
  /** As the user named it (`-` for standard input). */
  readonly name: string;
  open(): AsyncIterable<Uint8Array>;
  /** Called once the input has been consumed without error; resumable inputs (s3://) checkpoint here. */
  consumed?(): Promise<void>;
}

/**
 * What a directory walk could not read (`error`: a record may be lost) or chose not to read again
 * or at all (`notice`: a loop, a second path to the same file, a FIFO or socket). Never silent.
 */
export interface WalkReport {
  error(path: string, message: string): void;
  notice(path: string, message: string): void;
}

const READ_CHUNK = 256 * 1024;

/** CloudTrail writes digest files beside log files; they hold hashes, not events. */
function isSkippedPath(path: string): boolean {
  return /(^|\/)CloudTrail-Digest(\/|$)/.test(path) || /(^|\/)\.[^/]+$/.test(path);
}

function fileInput(path: string): Input {
  return { name: path, open: () => createReadStream(path, { highWaterMark: READ_CHUNK }) };
}

/** Why a path could not be read, in words; the fs code is enough to say it. */
async function unreadable(path: string, error: unknown): Promise<string> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const target = await readlink(path).catch(() => null);
    return target === null
      ? 'no longer exists: not read'
      : `a symbolic link to ${target}, which does not exist: not read`;
  }
  if (code === 'ELOOP') return 'a symbolic link that loops (too many levels of links): not read';
  if (code === 'EACCES' || code === 'EPERM')
    return `permission denied: not read (${(error as Error).message})`;
  return `cannot be read: ${(error as Error).message}`;
}

function notRegular(entry: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean }): string {
  if (entry.isFIFO()) return 'a FIFO, not a regular file: left out (name it on the command line to read it)';
  if (entry.isSocket()) return 'a socket, not a regular file: left out';
  if (entry.isCharacterDevice()) return 'a character device, not a regular file: left out';
  return 'a block device, not a regular file: left out';
}

/**
 * Walks directories depth-first in name order, following symbolic links. Every directory and file
 * is known by its real path, so a link back to a directory being read, or a second path to a file
 * already taken, is read once and reported, never looped on or doubled.
 */
class DirectoryWalk {
  readonly files: Input[] = [];
  /** Real path to the path it was first reached by. */
  private readonly seenFiles = new Map<string, string>();
  private readonly seenDirectories = new Map<string, string>();
  /** Real paths of the directories on the way down to the current one. */
  private readonly ancestors = new Set<string>();

  constructor(private readonly report: WalkReport) {}

  async directory(path: string, real: string): Promise<void> {
    const first = this.seenDirectories.get(real);
    if (first !== undefined) {
      this.report.notice(
        path,
        this.ancestors.has(real)
          ? `a symbolic link back to ${first}, which is being read already: not followed`
          : `the same directory as ${first}, read once`,
      );
      return;
    }
    this.seenDirectories.set(real, path);
    let entries: Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (error) {
      this.report.error(path, await unreadable(path, error));
      return;
    }
    this.ancestors.add(real);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = join(path, entry.name);
      if (isSkippedPath(child)) continue;
      if (entry.isSymbolicLink()) await this.link(child);
      else if (entry.isDirectory()) await this.directory(child, join(real, entry.name));
      else if (entry.isFile()) this.file(child, join(real, entry.name));
      else this.report.notice(child, notRegular(entry));
    }
    this.ancestors.delete(real);
  }

  private async link(path: string): Promise<void> {
    let real: string;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
      real = await realpath(path);
    } catch (error) {
      this.report.error(path, await unreadable(path, error));
      return;
    }
    if (info.isDirectory()) await this.directory(path, real);
    else if (info.isFile()) this.file(path, real);
    else this.report.notice(path, notRegular(info));
  }

  private file(path: string, real: string): void {
    const first = this.seenFiles.get(real);
    if (first !== undefined) {
      this.report.notice(path, `the same file as ${first}, read once`);
      return;
    }
    this.seenFiles.set(real, path);
    this.files.push(fileInput(path));
  }
}

/**
 * Expands the command line into inputs: files as named (a FIFO such as `<(zcat x.gz)` too),
 * directories recursively (sorted, digest files and dot-files left out, symbolic links followed),
 * `-` for standard input. A missing named path rejects with the fs error; what a directory holds
 * that cannot or will not be read goes to `report`.
 */
export async function resolveInputs(
  names: readonly string[],
  stdin: Readable,
  report: WalkReport,
): Promise<Input[]> {
  const inputs: Input[] = [];
  for (const name of names) {
    if (name === '-') {
      inputs.push({ name, open: () => stdin });
      continue;
    }
    const info = await stat(name);
    if (!info.isDirectory()) {
      inputs.push(fileInput(name));
      continue;
    }
    const walk = new DirectoryWalk(report);
    await walk.directory(name, await realpath(name));
    for (const input of walk.files) inputs.push(input);
  }
  return inputs;
}
