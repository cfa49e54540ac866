import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The checkpoint file named `name` in `directory` (the CLI's TOKENTRAIL_CHECKPOINT_DIR setting). */
export function checkpointPath(directory: string, name: string): string {
  return join(directory, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/**
 * A small JSON file recording how far a long job got. Written whole to a temporary file and
 * renamed over the old one, so an interrupted write leaves the previous checkpoint, never half of one.
 */
export class CheckpointFile<T> {
  constructor(
    readonly path: string,
    private readonly validate: (value: unknown) => value is T,
  ) {}

  /** The saved state, or null when there is none. A file that is not a checkpoint is an error, not a fresh start. */
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!this.validate(value)) {
      throw new CheckpointError(
        `${this.path} is not a tokentrail checkpoint of this kind: delete it, or name another file`,
      );
    }
    return value;
  }

  async write(value: T): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
    await rename(temporary, this.path);
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
