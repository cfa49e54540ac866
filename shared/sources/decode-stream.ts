import type { TransformOptions } from 'node:stream';
import { Readable } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { decodeFrames } from './decode-frames.js';
import type { DecodedItem } from './decoded-item.js';
import { JsonFramer } from './json-framer.js';
import { DEFAULT_LIMITS, type DecodeLimits } from './limits.js';
import { NOT_JSON_HEAD_BYTES, OpeningSniffer, WholeInput } from './not-json.js';
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
    ...(limits.prefilter === false ? {} : { prefilter: cloudTrailPrefilter }),
  });
}

/**
 * One input's (decompressed) bytes to decoded items. An input whose first value does not open
 * with `{` or `[` is not JSON (a README, a binary): it is read to its end and is one rejection,
 * where framing it would reject each of its lines. Anything else goes to the framer as it comes.
 */
class InputDecoder {
  private readonly framer: JsonFramer;
  private readonly sniffer = new OpeningSniffer();
  /** The input's bytes while it may turn out not to be JSON; null once it opened as JSON. */
  private whole: WholeInput | null;
  private stopped = false;

  constructor(private readonly limits: DecodeLimits) {
    this.framer = framerFor(limits);
    this.whole = new WholeInput(Math.min(NOT_JSON_HEAD_BYTES, limits.maxValueBytes));
  }

  /** True once nothing more can be read (see JsonFramer.abandoned); an input that is not JSON is read to its end. */
  get abandoned(): boolean {
    return this.stopped || this.framer.abandoned;
  }

  push(chunk: Uint8Array): DecodedItem[] {
    if (this.stopped) return [];
    if (this.whole) {
      const verdict = this.sniffer.look(chunk);
      if (verdict !== 'json') {
        this.whole.add(chunk, this.sniffer.at);
        // Before the first value there is only whitespace: the framer takes it and frames nothing.
        return verdict === undefined ? decodeFrames(this.framer.push(chunk), this.limits) : [];
      }
      this.whole = null;
    }
    return decodeFrames(this.framer.push(chunk), this.limits);
  }

  end(): DecodedItem[] {
    if (this.stopped) return [];
    if (this.whole && this.sniffer.finish() === 'not-json') {
      this.stopped = true;
      return [this.whole.reject(this.sniffer.at)];
    }
    return decodeFrames(this.framer.end(), this.limits);
  }

  /** Gives up on the rest of the input (see JsonFramer.stop), with one rejection for it. */
  stop(code: 'decompression_failed' | 'too_large', message: string): DecodedItem[] {
    if (this.stopped) return [];
    if (this.whole && this.sniffer.verdict === 'not-json') {
      this.stopped = true;
      return [this.whole.reject(this.sniffer.at, { code, message })];
    }
    return decodeFrames(this.framer.stop(code, message), this.limits);
  }
}

/**
 * Bytes in, batches of decoded items out (one batch per input chunk), with bounded memory: gzip
 * is detected by its magic bytes and inflated as a stream, JSON values are framed as they arrive.
 * Read errors of the source propagate. The stream stops at its first verdict that nothing more
 * can be read (corrupt gzip, past `maxDecompressedBytes`, a value that never ends: see
 * JsonFramer), after every record before it has been yielded, with exactly one rejection for it.
 * An input that does not open with `{` or `[` (after gunzip) is one rejection too (InputDecoder).
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

  const decoder = new InputDecoder(limits);
  if (!isGzip(head)) {
    yield decoder.push(head);
    for (let next = await iterator.next(); !next.done && !decoder.abandoned; next = await iterator.next()) {
      yield decoder.push(next.value);
    }
    if (decoder.abandoned) {
      await iterator.return?.();
      return;
    }
    yield decoder.end();
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
        yield decoder.stop(
          'too_large',
          `gzip stream expands more than ${ratio} times its compressed size (a gzip bomb, not a log file)`,
        );
        return;
      }
      if (inflated > limits.maxDecompressedBytes) {
        stopReading();
        yield decoder.stop(
          'too_large',
          `gzip stream expands past the ${limits.maxDecompressedBytes}-byte limit`,
        );
        return;
      }
      yield decoder.push(chunk);
      if (decoder.abandoned) {
        stopReading();
        return;
      }
    }
  } catch (error) {
    if (!isZlibError(error)) throw error;
    yield decoder.stop('decompression_failed', notGzipMessage('payload', error));
    return;
  }
  yield decoder.end();
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
  const decoder = new InputDecoder(limits);
  const items = decoder.push(plain);
  return decoder.abandoned ? items : [...items, ...decoder.end()];
}
