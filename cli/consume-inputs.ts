import { readlink, stat } from 'node:fs/promises';
import { type Input, resolveInputs } from '../shared/adapters/files/input-files.js';
import { s3CheckpointPath, s3Inputs, s3OptionsFrom } from '../shared/adapters/s3/s3-inputs.js';
import { isS3Uri } from '../shared/adapters/s3/s3-uri.js';
import { inertJson, terminalSafe } from '../shared/core/render/terminal-safe.js';
import { IngestRun, type IngestSummary } from '../shared/pipeline/ingest.js';
import type { EventStore } from '../shared/pipeline/ports.js';
import { decodeStream } from '../shared/sources/decode-stream.js';
import type { DecodedItem } from '../shared/sources/decoded-item.js';
import type { DecodeLimits } from '../shared/sources/limits.js';
import { type CliIo, UsageError } from './cli-io.js';
import { settingsOf } from './cli-settings.js';
import { Progress } from './progress.js';

export interface Consumer {
  consume(input: string, batches: AsyncIterable<readonly DecodedItem[]>): Promise<void>;
  /** Makes what was consumed durable; where given, s3:// inputs checkpoint their progress after it. */
  commit?(): Promise<void>;
}

export interface ConsumeOutcome {
  /** Some input could not be read or written; the others were still processed. */
  readonly failed: boolean;
  /** Standard output was closed by its reader (`| head`): stop quietly. */
  readonly brokenPipe: boolean;
}

function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/** A named path that is not there, in words (a dangling link names what it points to), or null. */
async function missing(name: string): Promise<string | null> {
  if (name === '-' || isS3Uri(name)) return null;
  try {
    await stat(name);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return null; // unreadable: reported when it is read
    const target = await readlink(name).catch(() => null);
    return terminalSafe(target === null ? name : `${name} (a symbolic link to ${target})`);
  }
}

/**
 * Every named file and directory exists, or a UsageError names those that do not: a mistyped path
 * is said plainly before anything is read, written or created (ingest checks before opening its store).
 */
export async function requireExistingInputs(names: readonly string[]): Promise<void> {
  const absent: string[] = [];
  for (const name of names) {
    const why = await missing(name);
    if (why !== null) absent.push(why);
  }
  if (absent.length > 0) throw new UsageError(`no such file: ${absent.join(', ')}`);
}

/**
 * Feeds every named input (files, directories, `-`) through the decoders to a consumer, reporting
 * an unreadable input as an NDJSON error line on stderr and going on with the next. A named path
 * that does not exist is a usage error, before anything is read (requireExistingInputs).
 */
export async function consumeInputs(
  names: readonly string[],
  consumer: Consumer,
  limits: DecodeLimits,
  progress: Progress,
  io: CliIo,
  /** For s3:// names: skip objects filed before this day (canonical timestamp). */
  s3Since?: string,
): Promise<ConsumeOutcome> {
  await requireExistingInputs(names);
  let failed = false;
  const reportError = (file: string, error: unknown) => {
    failed = true;
    progress.finish();
    const message = typeof error === 'string' ? error : (error as Error).message;
    io.stderr.write(`${inertJson({ type: 'error', file, message })}\n`);
  };
  const notice = (input: string, message: string) => {
    progress.finish();
    io.stderr.write(`${inertJson({ type: 'notice', input, message })}\n`);
  };

  for (const name of names.length === 0 ? ['-'] : names) {
    let inputs: AsyncIterable<Input> | Iterable<Input>;
    try {
      inputs = isS3Uri(name)
        ? s3InputsOf(name, consumer, io, notice, s3Since)
        : await resolveInputs([name], io.stdin, { error: reportError, notice });
    } catch (error) {
      reportError(name, error);
      continue;
    }
    // An s3:// listing can fail part way: that is an error of the name, after its inputs so far.
    try {
      for await (const input of inputs) {
        try {
          await consumer.consume(input.name, decodeStream(progress.track(input.name, input.open()), limits));
          await input.consumed?.();
        } catch (error) {
          if (isBrokenPipe(error)) return { failed, brokenPipe: true };
          reportError(input.name, error);
        }
      }
    } catch (error) {
      reportError(name, error);
    }
  }
  return { failed, brokenPipe: false };
}

/** An s3:// name: its objects, read lazily; progress is checkpointed where the consumer can commit. */
function s3InputsOf(
  uri: string,
  consumer: Consumer,
  io: Pick<CliIo, 'env'>,
  notice: (input: string, message: string) => void,
  since: string | undefined,
): AsyncIterable<Input> {
  const commit = consumer.commit?.bind(consumer);
  const settings = settingsOf(io);
  return s3Inputs(uri, {
    ...s3OptionsFrom(io.env, settings.endpoints.s3),
    ...(since ? { since } : {}),
    ...(commit ? { commit, checkpointPath: s3CheckpointPath(settings.checkpointDir, uri) } : {}),
    notice: (message) => notice(uri, message),
  });
}

export interface IngestOutcome {
  readonly summary: IngestSummary;
  readonly totals: ReturnType<Progress['totals']>;
  /** Some input could not be read, or the store refused a write; the rest was still stored. */
  readonly failed: boolean;
}

/** The ingest use case over named inputs, with progress on a terminal; used by ingest, detect and demo. */
export async function ingestInputs(
  store: EventStore,
  names: readonly string[],
  options: { readonly limits: DecodeLimits; readonly progress: boolean; readonly s3Since?: string },
  io: CliIo,
): Promise<IngestOutcome> {
  const run = new IngestRun(store, { now: () => io.now() });
  const progress = new Progress(io.stderr, options.progress && io.stderrIsTTY, () => run.summary().rows);
  const consumer: Consumer = {
    consume: (input, batches) => run.consume(input, batches),
    commit: () => run.finish(),
  };
  let { failed } = await consumeInputs(names, consumer, options.limits, progress, io, options.s3Since);
  try {
    await run.finish();
  } catch (error) {
    failed = true;
    io.stderr.write(
      `${inertJson({ type: 'error', store: store.description, message: (error as Error).message })}\n`,
    );
  }
  progress.finish();
  return { summary: run.summary(), totals: progress.totals(), failed };
}
