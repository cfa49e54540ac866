import type { TransformOptions } from 'node:stream';
import { Readable } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { decodeFrames } from './decode-frames.js';
import type { DecodedItem } from './decoded-item.js';
import { JsonFramer } from './json-framer.js';
import { DEFAULT_LIMITS, type DecodeLimits } from './limits.js';
import { gunzipCapped, isGzip, notGzipMessage } from './payload.js';
import { cloudTrailPrefilter } from './prefilter.js';

async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

function isZlibError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function decompressionReject(code: 'decompression_failed' | 'too_large', message: string): DecodedItem {
  return {
    type: 'reject',
    code,
    message,
    raw: '',
    delivery: 'plain',
    position: { value: 0, path: '', offset: 0 },
  };
}

/** A framer for `limits`, with the CloudTrail prefilter unless `limits.prefilter` is false. */
function framerFor(limits: DecodeLimits): JsonFramer {
  return new JsonFramer({
    maxValueBytes: limits.maxValueBytes,
    ...(limits.prefilter === false ? {} : { judgeRecord: cloudTrailPrefilter.judge }),
  });
}

/**
 * Bytes in, batches of decoded items out (one batch per input chunk), with bounded memory: gzip
 * is detected by its magic bytes and inflated as a stream, JSON values are framed as they arrive.
 * Read errors of the source propagate. The stream stops at its first verdict that nothing more
 * can be read (corrupt gzip, past `maxDecompressedBytes`, a value that never ends: see
 * JsonFramer), after every record before it has been yielded, with exactly one rejection for it.
 */
export async function* decodeStream(
  source: AsyncIterable<Uint8Array>,
  limits: DecodeLimits = DEFAULT_LIMITS,
  /** Told the size of each inflated chunk (tests count the work a bomb costs with it). */
  onInflated?: (bytes: number) => void,
): AsyncGenerator<DecodedItem[]> {
  const iterator = source[Symbol.asyncIterator]();
  // The gzip magic is two bytes; a source may hand them over one at a time.
  let head: Uint8Array = new Uint8Array(0);
  let ended = false;
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  if (ended && head.length === 0) return;

  const framer = framerFor(limits);
  if (!isGzip(head)) {
    yield decodeFrames(framer.push(head), limits);
    for (let next = await iterator.next(); !next.done && !framer.abandoned; next = await iterator.next()) {
      yield decodeFrames(framer.push(next.value), limits);
    }
    if (framer.abandoned) {
      await iterator.return?.();
      return;
    }
    yield decodeFrames(framer.end(), limits);
    return;
  }

  const input = Readable.from(prepend(head, iterator), { objectMode: false });
  // A deep read-ahead lets the thread pool inflate while the main thread parses.
  const gunzipOptions: ZlibOptions & TransformOptions = { chunkSize: 64 * 1024, highWaterMark: 1024 * 1024 };
  const gunzip = createGunzip(gunzipOptions);
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  const stopReading = () => {
    input.unpipe(gunzip);
    input.destroy();
    gunzip.destroy();
  };
  const ratio = limits.maxGzipRatio ?? DEFAULT_LIMITS.maxGzipRatio ?? 200;
  let inflated = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      onInflated?.(chunk.length);
      if (inflated > limits.maxValueBytes && inflated > ratio * gunzip.bytesWritten) {
        stopReading();
        yield decodeFrames(
          framer.stop(
            'too_large',
            `gzip stream expands more than ${ratio} times its compressed size (a gzip bomb, not a log file)`,
          ),
          limits,
        );
        return;
      }
      if (inflated > limits.maxDecompressedBytes) {
        stopReading();
        yield decodeFrames(
          framer.stop('too_large', `gzip stream expands past the ${limits.maxDecompressedBytes}-byte limit`),
          limits,
        );
        return;
      }
      yield decodeFrames(framer.push(chunk), limits);
      if (framer.abandoned) {
        stopReading();
        return;
      }
    }
  } catch (error) {
    if (!isZlibError(error)) throw error;
    yield decodeFrames(framer.stop('decompression_failed', notGzipMessage('payload', error)), limits);
    return;
  }
  yield decodeFrames(framer.end(), limits);
}

/** The same for a payload already in memory (a Lambda event body, a small S3 object). */
export function decodeBytes(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS): DecodedItem[] {
  let plain: Uint8Array = bytes;
  if (isGzip(bytes)) {
    try {
      plain = gunzipCapped(bytes, limits.maxPayloadBytes, 'payload');
    } catch (error) {
      const { code, message } = error as { code: 'decompression_failed' | 'too_large'; message: string };
      return [decompressionReject(code, message)];
    }
  }
  const framer = framerFor(limits);
  const frames = framer.push(plain);
  return decodeFrames(framer.abandoned ? frames : [...frames, ...framer.end()], limits);
}
