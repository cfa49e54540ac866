import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { terminalSafe } from '../core/render/terminal-safe.js';
import type { DecodedItem } from './decoded-item.js';
import { OPEN_BRACE, OPEN_BRACKET } from './json-bytes.js';
import { withoutCutCharacter } from './kept-bytes.js';

/**
 * What the rejection of an input that is not JSON keeps of it: its first bytes, few enough that
 * their base64 (for bytes that are not UTF-8) still fits a quarantine row's 64 KiB.
 */
export const NOT_JSON_HEAD_BYTES = 48 * 1024;

/** How many bytes of the input the rejection's message quotes. */
const PREVIEW_BYTES = 32;
/** Of bytes that are not text, fewer: each shows as four characters. */
const BINARY_PREVIEW_BYTES = 8;
const BOM = [0xef, 0xbb, 0xbf] as const;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Reads an input up to its first value: a UTF-8 byte order mark and JSON whitespace are passed
 * over, and the first other byte says whether it is JSON values to frame (`{` or `[`) or not.
 * Every delivery tokentrail reads is an object or an array, so anything else (a README, a binary,
 * a bare number) is no log file: one rejection for the input, not one per line.
 */
export class OpeningSniffer {
  #verdict: 'json' | 'not-json' | undefined;
  #offset = 0;
  /** How many bytes of a byte order mark the input opened with. */
  #bom = 0;
  /** Offset of the first byte of the input that is neither the byte order mark nor whitespace. */
  #at = -1;

  get verdict(): 'json' | 'not-json' | undefined {
    return this.#verdict;
  }

  /** Where the input's first value (or what stands in its place) begins; -1 while undecided. */
  get at(): number {
    return this.#at;
  }

  /** Looks at the next chunk, unless the input is decided already; returns the verdict so far. */
  look(chunk: Uint8Array): 'json' | 'not-json' | undefined {
    for (let i = 0; this.#verdict === undefined && i < chunk.length; i++, this.#offset++) {
      const byte = chunk[i] as number;
      if (this.#offset < BOM.length && this.#bom === this.#offset && byte === BOM[this.#offset]) {
        this.#bom++;
      } else if (this.#bom > 0 && this.#bom < BOM.length) {
        this.decide('not-json', 0); // a byte order mark cut short is no byte order mark
      } else if (!isSpace(byte)) {
        this.decide(byte === OPEN_BRACE || byte === OPEN_BRACKET ? 'json' : 'not-json', this.#offset);
      }
    }
    return this.#verdict;
  }

  /** The input ended: one that held only whitespace is an empty JSON input, a cut byte order mark is not. */
  finish(): 'json' | 'not-json' {
    if (this.#verdict === undefined) {
      if (this.#bom > 0 && this.#bom < BOM.length) this.decide('not-json', 0);
      else this.#verdict = 'json';
    }
    return this.#verdict as 'json' | 'not-json';
  }

  private decide(verdict: 'json' | 'not-json', at: number): void {
    this.#verdict = verdict;
    this.#at = at;
  }
}

/** The first line of `bytes` quoted for a message: text as it is (invisible characters escaped), else `\xNN`s. */
function quoted(bytes: Buffer): string {
  let end = 0;
  while (end < bytes.length && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
  const line = bytes.subarray(0, end);
  const text = withoutCutCharacter(line);
  if (text.length > 0 && isUtf8(text)) return terminalSafe(text.toString('utf8'));
  let out = '';
  for (const byte of line.subarray(0, BINARY_PREVIEW_BYTES)) {
    out +=
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/**
 * The bytes of an input that may turn out not to be JSON: its head (up to `headBytes`), and the
 * length and SHA-256 of all of it, so that its one rejection locates the whole input (offset 0)
 * and `quarantine show --bytes` can give it back checked.
 */
export class WholeInput {
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private total = 0;
  private readonly hash: Hash = createHash('sha256');
  /** The bytes the message quotes, when they begin past the head. */
  private preview: Buffer[] = [];

  constructor(private readonly headBytes: number) {}

  /** Takes the next chunk; `quoteFrom` is the offset the message's quote begins at, once known. */
  add(chunk: Uint8Array, quoteFrom: number): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.hash.update(bytes);
    if (this.headLength < this.headBytes) {
      const part = Buffer.from(bytes.subarray(0, this.headBytes - this.headLength)); // copied: the chunk may be reused
      this.head.push(part);
      this.headLength += part.length;
    }
    if (quoteFrom >= this.headBytes) {
      const wanted = PREVIEW_BYTES - this.preview.reduce((sum, part) => sum + part.length, 0);
      const start = Math.max(0, quoteFrom - this.total);
      if (wanted > 0 && start < bytes.length)
        this.preview.push(Buffer.from(bytes.subarray(start, start + wanted)));
    }
    this.total += bytes.length;
  }

  /**
   * The input's one rejection. `stoppedBy` says why it was not read to its end (a gzip stream
   * corrupt or over a cap, whose code a text's rejection takes): then only the head is known, and
   * the rejection describes that alone.
   */
  reject(
    quoteFrom: number,
    stoppedBy?: { readonly code: 'decompression_failed' | 'too_large'; readonly message: string },
  ): DecodedItem {
    const head = Buffer.concat(this.head, this.headLength);
    const quote =
      quoteFrom < this.headLength
        ? head.subarray(quoteFrom, quoteFrom + PREVIEW_BYTES)
        : Buffer.concat(this.preview);
    const cut = this.total > this.headLength;
    // A head cut inside a character is still text; a whole input that ends inside one is not.
    const text = cut ? withoutCutCharacter(head) : head;
    const stopped = stoppedBy === undefined ? '' : `; ${stoppedBy.message}: not read to its end`;
    const start = `not JSON: starts with '${quoted(quote)}'`;
    const position = { value: 0, path: '', offset: 0 };
    const all = stoppedBy === undefined ? { bytes: this.total, sha256: this.hash.digest('hex') } : undefined;
    if (isUtf8(text)) {
      const raw = text.toString('utf8');
      return {
        type: 'reject',
        code: stoppedBy?.code ?? 'invalid_json',
        message: `${start} (a JSON input starts with { or [)${stopped}`,
        raw,
        ...(all && all.bytes > text.length ? { whole: all } : {}),
        delivery: 'plain',
        position,
      };
    }
    return {
      type: 'reject',
      code: 'invalid_encoding',
      message: `${start} and is not UTF-8 text (raw is the base64 of its first ${head.length} bytes)${stopped}`,
      raw: head.toString('base64'),
      // raw is base64, so its own length and hash would not locate or check the bytes.
      whole: all ?? { bytes: head.length, sha256: createHash('sha256').update(head).digest('hex') },
      delivery: 'plain',
      position,
    };
  }
}
