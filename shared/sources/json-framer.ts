/**
 * Splits a byte stream into the texts of JSON values without parsing them, so each value can go
 * to the native JSON.parse while memory stays bounded by the largest single value:
 *
 * - top-level values one after another (NDJSON, pretty-printed, or Firehose-style `}{`);
 * - a top-level array is split into its elements (`gcloud logging read --format=json`);
 * - a top-level object that opens with `"Records": [` (a CloudTrail log file) is split into its
 *   records, so a 1 GB file is never one string.
 *
 * It tracks only string/escape state and bracket depth, jumping through strings with indexOf,
 * which keeps it several times faster than the JSON.parse that follows. Malformed input becomes
 * `malformed` frames; the framer never throws, and resynchronises at the next line for NDJSON and
 * at the next `{"eventVersion"` for a CloudTrail Records array (see `resyncsAt`).
 *
 * Every malformed frame keeps all of its value's bytes up to `maxValueBytes`; past it, the head
 * and the length and SHA-256 of all of them (`whole`). A value still open `maxValueBytes` bytes
 * after it went over the cap ends the stream (`abandoned`): no record boundary follows within a
 * bounded span, so what comes next is a bomb or noise, and reading on would only burn CPU.
 */

import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import type { WholeBytes } from './decoded-item.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  NEWLINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './json-bytes.js';
import { HEAD_BYTES, sha256Hex, utf8Head, withoutCutCharacter } from './kept-bytes.js';
import { bytesNestWithinCap, MAX_DEPTH, tooDeepMessage } from './nesting.js';
import { type Prefilter, readUpTo } from './prefilter.js';

/**
 * A complete value: its bytes (valid UTF-8), the range [start, end) of `source`, and its text
 * decoded from there only when asked for (no per-value copy or view of the bytes on the way).
 */
export class ValueFrame {
  readonly type = 'value' as const;
  #text: string | undefined;

  constructor(
    private readonly source: Buffer,
    private readonly start: number,
    private readonly end: number,
    /** Index of the top-level value in the stream. */
    readonly value: number,
    /** Where inside that value: '' for the value itself, `/Records/17` or `/3` for split elements. */
    readonly path: string,
    /** Byte offset of the frame's first byte in the (decompressed) stream. */
    readonly offset: number,
    /** The text's JSON.parse, when the framer already made it (else undefined: JSON.parse never returns that). */
    readonly parsed?: unknown,
    text?: string,
  ) {
    this.#text = text;
  }

  get bytes(): Buffer {
    return this.source.subarray(this.start, this.end);
  }

  get text(): string {
    this.#text ??= this.source.toString('utf8', this.start, this.end);
    return this.#text;
  }
}

export interface MalformedFrame {
  readonly type: 'malformed';
  readonly code: 'invalid_json' | 'invalid_encoding' | 'truncated' | 'too_large' | 'decompression_failed';
  readonly message: string;
  /**
   * The frame's bytes as UTF-8 text; base64 of them when the code is `invalid_encoding` (they are
   * not UTF-8); only their head when `whole` is set.
   */
  readonly text: string;
  /** Set when `text` is only the head: the length and SHA-256 of all of the value's bytes. */
  readonly whole?: WholeBytes;
  readonly value: number;
  readonly path: string;
  readonly offset: number;
}

/** A CloudTrail record that `judgeRecord` proved no normalizer takes: counted, never parsed. */
export interface SkippedFrame {
  readonly type: 'skipped';
  readonly value: number;
  readonly path: string;
  readonly offset: number;
}

export type Frame = ValueFrame | MalformedFrame | SkippedFrame;

export interface FramerOptions {
  /** Largest single value kept in memory; larger ones become `too_large` frames. */
  readonly maxValueBytes: number;
  /**
   * For the records of a CloudTrail Records array. A record the prefilter proves irrelevant becomes
   * a `skipped` frame. One it finds possibly relevant is read no further than that: its end is
   * looked for where the next record opens, and the bytes up to there become its frame if they
   * parse as one object (else it is framed by the scan, as without a prefilter).
   */
  readonly prefilter?: Pick<Prefilter, 'judge'>;
}

const LOOKAHEAD_BYTES = 256;
const RECORDS_PREFIX = /^\{\s*"Records"\s*:\s*\[/;
/** What follows the `{` that opens a CloudTrail record: CloudTrail writes eventVersion first. */
const RECORD_KEY = Buffer.from('"eventVersion"');
/** What separates two records of a CloudTrail file as CloudTrail writes it. */
const NEXT_RECORD = Buffer.from(',{"eventVersion"');
const TAIL_BYTES = 16;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The bytes before a `,` that separates them from the next element (and the spaces around it). */
function withoutSeparator(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && isSpace(bytes[end - 1]!)) end--;
  if (end > 0 && bytes[end - 1] === COMMA) end--;
  while (end > 0 && isSpace(bytes[end - 1]!)) end--;
  return bytes.subarray(0, end);
}

/** Where complete values are taken from: the top level, a top-level array, or a Records array. */
type Split = 'top' | 'array' | 'records' | 'rest-of-records-object';

/** Bytes of a finished value: all of them, or (over the cap) the head and the whole's length and hash. */
type Collected = { readonly bytes: Buffer } | { readonly head: Buffer; readonly whole: WholeBytes };

export class JsonFramer {
  private readonly maxValueBytes: number;
  private readonly headBytes: number;
  private readonly prefilter: Pick<Prefilter, 'judge'> | undefined;
  private readonly stack = new Uint8Array(MAX_DEPTH + 3);
  private depth = 0;
  private inString = false;
  private escaped = false;
  private split: Split = 'top';
  private valueIndex = 0;
  private elementIndex = 0;
  private streamOffset = 0;
  private carry: Buffer | null = null;
  private atStreamStart = true;
  private tail: Buffer = Buffer.alloc(0);
  private stopped = false;

  // The element being collected.
  private inElement = false;
  private primitive = false;
  private parts: Buffer[] = [];
  /** Bytes of the element seen so far, kept or not. */
  private partsBytes = 0;
  /** Set once the element went over the cap: from then on `parts` is its head and this hashes it all. */
  private overflow: Hash | null = null;
  private elementOffset = 0;
  private tooDeep = false;

  private out: Frame[] = [];
  /** The chunk being scanned, once `utf8Chunk` says whether it is UTF-8 but for a character cut at its end. */
  private utf8Of: Buffer | null = null;
  private utf8Chunk = false;

  constructor(options: FramerOptions) {
    this.maxValueBytes = options.maxValueBytes;
    this.prefilter = options.prefilter;
    this.headBytes = Math.min(HEAD_BYTES, options.maxValueBytes);
  }

  /** True once the framer gave up on the stream (see `stop`): feed it nothing more. */
  get abandoned(): boolean {
    return this.stopped;
  }

  /** Feeds the next chunk; returns the frames it completed. */
  push(chunk: Uint8Array): Frame[] {
    if (this.stopped) return [];
    let buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.keepTail(buffer);
    if (this.carry) {
      buffer = Buffer.concat([this.carry, buffer]);
      this.carry = null;
    }
    this.scan(buffer, false);
    return this.drain();
  }

  /** Ends the stream; returns the last frames, with a `truncated` one if a value was left open. */
  end(): Frame[] {
    if (this.stopped) return this.drain();
    if (this.carry) {
      const carried = this.carry;
      this.carry = null;
      this.scan(carried, true);
    }
    if (this.inElement) {
      if (this.primitive && !this.inString && this.split === 'top') {
        this.emitElement(Buffer.alloc(0), 0, 0);
      } else if (this.inString && this.inputLooksClosed()) {
        this.emitMalformed(
          'invalid_json',
          'a string in this value is never terminated: the input ends inside it, after the brackets that would close it',
          this.collected(Buffer.alloc(0), 0, 0),
        );
      } else {
        this.emitMalformed('truncated', 'input ended inside a value', this.collected(Buffer.alloc(0), 0, 0));
      }
    } else if (this.depth > 0) {
      this.pushMalformed(
        'truncated',
        `input ended inside ${this.split === 'array' ? 'an array' : 'the Records array'}`,
        { bytes: Buffer.alloc(0) },
      );
    }
    this.depth = 0;
    this.stopped = true;
    return this.drain();
  }

  /**
   * Gives up on the rest of the stream (it cannot be read further: corrupt or over a cap) with one
   * verdict: the value left open, with its bytes so far, or the stream position when none was.
   */
  stop(code: MalformedFrame['code'], message: string): Frame[] {
    this.giveUp(code, message);
    return this.drain();
  }

  private giveUp(code: MalformedFrame['code'], message: string): void {
    if (this.stopped) return;
    const carried = this.carry ?? Buffer.alloc(0);
    this.carry = null;
    this.stopped = true;
    if (this.inElement) {
      const collected = this.collected(carried, 0, carried.length);
      // The value is cut short, so `whole` would describe a fragment: keep the head alone.
      const kept = 'bytes' in collected ? collected.bytes : collected.head;
      this.emitMalformed(code, message, { bytes: kept.subarray(0, this.maxValueBytes) });
    } else {
      this.pushMalformed(code, message, { bytes: Buffer.alloc(0) });
    }
  }

  private drain(): Frame[] {
    const frames = this.out;
    this.out = [];
    return frames;
  }

  private keepTail(chunk: Buffer): void {
    this.tail =
      chunk.length >= TAIL_BYTES
        ? chunk.subarray(chunk.length - TAIL_BYTES)
        : Buffer.concat([this.tail, chunk]).subarray(-TAIL_BYTES);
  }

  /**
   * Whether the input ends as a whole one does (`]}` after a Records array, `}` or `]` after a
   * value): a string still open there was never terminated, rather than cut off.
   */
  private inputLooksClosed(): boolean {
    const text = this.tail.toString('latin1').trimEnd();
    return this.split === 'records' ? /\]\s*\}$/.test(text) : /[}\]]$/.test(text);
  }

  private path(): string {
    switch (this.split) {
      case 'array':
        return `/${this.elementIndex}`;
      case 'records':
        return `/Records/${this.elementIndex}`;
      default:
        return '';
    }
  }

  private splitDepth(): number {
    switch (this.split) {
      case 'top':
        return 0;
      case 'array':
        return 1;
      case 'records':
        return 2;
      case 'rest-of-records-object':
        return -1;
    }
  }

  /**
   * Whether the quote at `quote`, met while we believe we are inside a string of a Records
   * element, starts a record: it follows a `{` and opens the key `"eventVersion"`. Valid JSON
   * never has an unescaped quote right after `{` inside a string followed by `eventVersion"`
   * (that quote would end the string, and a string cannot be followed by a name), so this is
   * proof that a string of the element before was never terminated. Returns null when the chunk
   * ends too early to tell.
   */
  private resyncsAt(chunk: Buffer, quote: number, final: boolean): boolean | null {
    if (quote === 0 || chunk[quote - 1] !== OPEN_BRACE) return false;
    if (quote + RECORD_KEY.length > chunk.length) return final ? false : null;
    return chunk.compare(RECORD_KEY, 0, RECORD_KEY.length, quote, quote + RECORD_KEY.length) === 0;
  }

  private scan(chunk: Buffer, final: boolean): void {
    this.utf8Of = null; // a caller may hand the same buffer again with other bytes in it
    const length = chunk.length;
    const chunkOffset = this.streamOffset;
    let i = 0;
    let elementStart = 0; // start of the current element within this chunk
    let nextNewline = -2;

    if (this.atStreamStart && length > 0) {
      if (length < 3 && !final) {
        this.carry = chunk;
        return;
      }
      this.atStreamStart = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3; // UTF-8 byte order mark
    }

    const startElement = (at: number, primitive: boolean) => {
      this.inElement = true;
      this.primitive = primitive;
      this.elementOffset = chunkOffset + at;
      this.parts = [];
      this.partsBytes = 0;
      this.overflow = null;
      this.tooDeep = false;
      elementStart = at;
    };
    const finishElement = (endExclusive: number) => {
      this.emitElement(chunk, elementStart, endExclusive);
    };
    /** Keeps the element's bytes before `at` and leaves the rest of the chunk for the next push. */
    const carryFrom = (at: number) => {
      if (this.inElement) this.keepPart(chunk.subarray(elementStart, at));
      this.carry = chunk.subarray(at);
      this.streamOffset = chunkOffset + at;
    };

    while (i < length) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        const quote = chunk.indexOf(QUOTE, i);
        if (this.split === 'top' && this.inElement) {
          // A raw newline cannot occur inside a JSON string: in NDJSON it means this line is broken.
          if (nextNewline !== -1 && nextNewline < i) nextNewline = chunk.indexOf(NEWLINE, i);
          if (nextNewline !== -1 && (quote === -1 || nextNewline < quote)) {
            const collected = this.collected(chunk, elementStart, nextNewline);
            this.emitMalformed('invalid_json', 'unterminated string before the end of the line', collected);
            this.inString = false;
            this.depth = 0;
            i = nextNewline + 1;
            continue;
          }
        }
        if (quote === -1) {
          if (this.split === 'records' && this.inElement && !final && chunk[length - 1] === OPEN_BRACE) {
            carryFrom(length - 1); // it may open the next record: decide with the bytes after it
            return;
          }
          let run = 0;
          for (let k = length - 1; k >= i && chunk[k] === BACKSLASH; k--) run++;
          this.escaped = run % 2 === 1;
          i = length;
          break;
        }
        if (this.split === 'records' && this.inElement) {
          const resync = this.resyncsAt(chunk, quote, final);
          if (resync === null) {
            carryFrom(quote - 1);
            return;
          }
          if (resync) {
            this.resync(chunk, elementStart, quote - 1, chunkOffset);
            i = quote - 1;
            continue;
          }
        }
        let run = 0;
        for (let k = quote - 1; k >= i && chunk[k] === BACKSLASH; k--) run++;
        i = quote + 1;
        if (run % 2 === 1) continue;
        this.inString = false;
        if (this.inElement && this.primitive && this.depth === this.splitDepth()) finishElement(i);
        continue;
      }

      const byte = chunk[i]!;
      if (this.inElement && this.primitive) {
        // A bare number or literal: it ends at a delimiter (at the top level: the end of the line).
        const ends =
          this.split === 'top'
            ? byte === NEWLINE
            : byte === COMMA || byte === CLOSE_BRACKET || byte === CLOSE_BRACE || isSpace(byte);
        if (ends) {
          finishElement(i);
          continue;
        }
        i++;
        continue;
      }

      switch (byte) {
        case QUOTE:
          if (!this.inElement && this.depth === this.splitDepth()) startElement(i, true);
          this.inString = true;
          i++;
          break;

        case OPEN_BRACE:
        case OPEN_BRACKET: {
          if (!this.inElement && this.split === 'top' && this.depth === 0) {
            if (byte === OPEN_BRACKET) {
              this.enterContainer(byte);
              this.split = 'array';
              this.elementIndex = 0;
              i++;
              break;
            }
            const available = length - i;
            if (available < LOOKAHEAD_BYTES && !final) {
              this.carry = chunk.subarray(i);
              this.streamOffset = chunkOffset + i;
              return;
            }
            const head = chunk.toString('latin1', i, i + Math.min(available, LOOKAHEAD_BYTES));
            const records = RECORDS_PREFIX.exec(head);
            if (records) {
              this.enterContainer(OPEN_BRACE);
              this.enterContainer(OPEN_BRACKET);
              this.split = 'records';
              this.elementIndex = 0;
              i += records[0].length;
              break;
            }
          }
          if (this.prefilter && !this.inElement && this.split === 'records' && this.depth === 2) {
            const answer = byte === OPEN_BRACE ? this.prefilter.judge(chunk, i) : -1;
            if (answer >= 0 && this.skipped(chunk, i, answer, chunkOffset + i)) {
              i = answer;
              break;
            }
            const end = answer <= -2 ? this.parsedRecord(chunk, i, readUpTo(answer), chunkOffset + i) : -1;
            if (end >= 0) {
              i = end;
              break;
            }
          }
          if (!this.inElement && this.depth === this.splitDepth()) startElement(i, false);
          this.enterContainer(byte);
          i++;
          break;
        }

        case CLOSE_BRACE:
        case CLOSE_BRACKET: {
          if (this.depth === 0) {
            // A stray closer at the top level: report the rest of the line as one broken value.
            startElement(i, true);
            i++;
            break;
          }
          const expected = byte === CLOSE_BRACE ? OPEN_BRACE : OPEN_BRACKET;
          if (this.depth <= this.stack.length && this.stack[this.depth - 1] !== expected) {
            this.stack[this.depth - 1] = expected; // mismatched: JSON.parse will reject the element
          }
          this.depth--;
          i++;
          if (this.inElement) {
            if (this.depth === this.splitDepth()) finishElement(i);
          } else {
            this.closeContainerAt(this.depth);
          }
          break;
        }

        case COMMA:
        case COLON:
        case 0x20:
        case 0x09:
        case 0x0d:
        case NEWLINE:
          i++;
          break;

        default:
          if (!this.inElement && this.depth === this.splitDepth()) startElement(i, true);
          i++;
      }
    }

    if (this.inElement) this.keepPart(chunk.subarray(elementStart));
    this.streamOffset = chunkOffset + length;
    if (this.inElement && this.overflow && this.partsBytes > 2 * this.maxValueBytes) {
      this.giveUp(
        'too_large',
        `value is larger than the ${this.maxValueBytes}-byte limit and does not end within as many bytes again: the rest of the input was not read`,
      );
    }
  }

  /**
   * The element that began at `elementStart` is broken (a string in it never closed) and the next
   * record opens at `next`: the element up to there becomes one `invalid_json` frame, and
   * scanning resumes at `next` outside any string.
   */
  private resync(chunk: Buffer, elementStart: number, next: number, chunkOffset: number): void {
    const collected = this.collected(chunk, elementStart, next);
    this.emitMalformed(
      'invalid_json',
      `a string in this record is never terminated (the next record starts at byte ${chunkOffset + next})`,
      'bytes' in collected ? { bytes: withoutSeparator(collected.bytes) } : collected,
    );
    this.inString = false;
    this.escaped = false;
    this.depth = this.splitDepth();
  }

  private enterContainer(byte: number): void {
    if (this.depth < this.stack.length) this.stack[this.depth] = byte;
    if (this.inElement && this.depth - this.splitDepth() >= MAX_DEPTH) this.tooDeep = true;
    this.depth++;
  }

  /** A container we were splitting has closed (not an element): step back out. */
  private closeContainerAt(depth: number): void {
    if (this.split === 'array' && depth === 0) {
      this.split = 'top';
      this.valueIndex++;
    } else if (this.split === 'records' && depth === 1) {
      this.split = 'rest-of-records-object';
    } else if (this.split === 'rest-of-records-object' && depth === 0) {
      this.split = 'top';
      this.valueIndex++;
    }
  }

  private keepPart(part: Buffer): void {
    if (part.length === 0) return;
    if (this.overflow) {
      this.overflow.update(part);
      this.partsBytes += part.length;
      return;
    }
    if (this.partsBytes + part.length > this.maxValueBytes) {
      // Over the cap: from here on keep only the head (copied, so the chunks can be freed) and hash.
      this.overflow = createHash('sha256');
      for (const kept of this.parts) this.overflow.update(kept);
      this.overflow.update(part);
      const head = Buffer.concat([...this.parts, part.subarray(0, this.headBytes)]);
      this.parts = [Buffer.from(head.subarray(0, this.headBytes))];
      this.partsBytes += part.length;
      return;
    }
    this.parts.push(part);
    this.partsBytes += part.length;
  }

  /** Every byte of the element up to `end`, or its head and the whole's length and hash. */
  private collected(chunk: Buffer, start: number, end: number): Collected {
    if (this.parts.length === 0 && !this.overflow && end - start <= this.maxValueBytes) {
      return { bytes: chunk.subarray(start, end) };
    }
    this.keepPart(chunk.subarray(start, end));
    if (!this.overflow) return { bytes: Buffer.concat(this.parts) };
    return {
      head: this.parts[0]!,
      whole: { bytes: this.partsBytes, sha256: this.overflow.digest('hex') },
    };
  }

  /**
   * A record wholly inside the chunk, from `start` to `end`, that the prefilter proved irrelevant
   * is one `skipped` frame if it is UTF-8 and within the size cap (else it is framed as usual).
   */
  private skipped(chunk: Buffer, start: number, end: number, offset: number): boolean {
    if (end - start > this.maxValueBytes || !this.isUtf8Within(chunk, start, end)) return false;
    this.pushSkipped(offset);
    this.elementIndex++;
    return true;
  }

  /**
   * A possibly relevant record that opens at `start`, read by the prefilter up to `from`: if the
   * bytes from `start` to where the next record opens are one JSON object (JSON.parse says so),
   * within the size and nesting caps and UTF-8, they are the frame the scan would have found, and
   * it is pushed with its parse; returns where it ends, or -1 to leave the record to the scan.
   */
  private parsedRecord(chunk: Buffer, start: number, from: number, offset: number): number {
    const end = chunk.indexOf(NEXT_RECORD, from);
    if (end === -1 || chunk[end - 1] !== CLOSE_BRACE || end - start > this.maxValueBytes) return -1;
    if (!bytesNestWithinCap(chunk, start, end) || !this.isUtf8Within(chunk, start, end)) return -1;
    const text = chunk.toString('utf8', start, end);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return -1;
    }
    this.out.push(new ValueFrame(chunk, start, end, this.valueIndex, this.path(), offset, parsed, text));
    this.elementIndex++;
    return end;
  }

  /**
   * Whether chunk[start, end) is UTF-8, for a range that starts and ends at ASCII bytes (a
   * record's braces): one check of the whole chunk answers for every record in it; only when it
   * fails is the range checked alone.
   */
  private isUtf8Within(chunk: Buffer, start: number, end: number): boolean {
    if (this.utf8Of !== chunk) {
      this.utf8Of = chunk;
      this.utf8Chunk = isUtf8(withoutCutCharacter(chunk));
    }
    return this.utf8Chunk || isUtf8(chunk.subarray(start, end));
  }

  private pushSkipped(offset: number): void {
    this.out.push({ type: 'skipped', value: this.valueIndex, path: this.path(), offset });
  }

  private emitElement(chunk: Buffer, start: number, end: number): void {
    // A record judged at its start was wholly in one chunk; one that spans chunks is judged whole here.
    const spansChunks = this.parts.length > 0;
    const collected = this.collected(chunk, start, end);
    if (!('bytes' in collected)) {
      this.emitMalformed('too_large', `value is larger than the ${this.maxValueBytes}-byte limit`, collected);
    } else if (this.tooDeep) {
      this.emitMalformed('too_large', tooDeepMessage('value'), collected);
    } else if (!isUtf8(collected.bytes)) {
      this.emitMalformed('invalid_encoding', 'value is not UTF-8 text', collected);
    } else if (
      spansChunks &&
      this.split === 'records' &&
      this.prefilter?.judge(collected.bytes, 0) === collected.bytes.length
    ) {
      this.pushSkipped(this.elementOffset);
      this.advance();
    } else {
      const { bytes } = collected;
      this.out.push(new ValueFrame(bytes, 0, bytes.length, this.valueIndex, this.path(), this.elementOffset));
      this.advance();
    }
  }

  private emitMalformed(code: MalformedFrame['code'], message: string, collected: Collected): void {
    this.pushMalformed(code, message, collected);
    this.advance();
  }

  /**
   * Bytes that are not UTF-8 cannot be kept as text without loss: they are kept in base64, and the
   * frame is `invalid_encoding` whatever else is wrong with it, so that base64 goes with that code alone.
   */
  private pushMalformed(code: MalformedFrame['code'], message: string, collected: Collected): void {
    const offset = this.inElement ? this.elementOffset : this.streamOffset;
    const place = { value: this.valueIndex, path: this.path(), offset };
    if (!('bytes' in collected)) {
      const text = utf8Head(collected.head, this.headBytes).toString('utf8');
      this.out.push({ type: 'malformed', code, message, text, whole: collected.whole, ...place });
    } else if (code !== 'invalid_encoding' && isUtf8(withoutCutCharacter(collected.bytes))) {
      // A value cut short by the end of the input may end inside a character: that is no encoding fault.
      this.out.push({ type: 'malformed', code, message, text: collected.bytes.toString('utf8'), ...place });
    } else {
      this.out.push({
        type: 'malformed',
        code: 'invalid_encoding',
        message: `${code === 'invalid_encoding' ? message : `${message}, and its bytes are not UTF-8`} (raw is their base64)`,
        text: collected.bytes.toString('base64'),
        // raw is base64, so its own length and hash would not locate or check the bytes.
        whole: { bytes: collected.bytes.length, sha256: sha256Hex(collected.bytes) },
        ...place,
      });
    }
  }

  private advance(): void {
    this.inElement = false;
    this.primitive = false;
    this.parts = [];
    this.partsBytes = 0;
    this.overflow = null;
    this.tooDeep = false;
    if (this.split === 'top') this.valueIndex++;
    else this.elementIndex++;
  }
}
