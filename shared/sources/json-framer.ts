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
 * `malformed` frames; the framer resynchronises at the next line for NDJSON and never throws.
 */

export interface ValueFrame {
  readonly type: 'value';
  readonly text: string;
  /** Index of the top-level value in the stream. */
  readonly value: number;
  /** Where inside that value: '' for the value itself, `/Records/17` or `/3` for split elements. */
  readonly path: string;
  /** Byte offset of the frame's first byte in the (decompressed) stream. */
  readonly offset: number;
}

export interface MalformedFrame {
  readonly type: 'malformed';
  readonly code: 'invalid_json' | 'truncated' | 'too_large';
  readonly message: string;
  /** The frame's text, or its head when it was too large to keep. */
  readonly text: string;
  readonly value: number;
  readonly path: string;
  readonly offset: number;
}

export type Frame = ValueFrame | MalformedFrame;

export interface FramerOptions {
  /** Largest single value kept in memory; larger ones become `too_large` frames. */
  readonly maxValueBytes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;
const MAX_DEPTH = 1024;
const LOOKAHEAD_BYTES = 256;
const HEAD_BYTES = 4096;
const RECORDS_PREFIX = /^\{\s*"Records"\s*:\s*\[/;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Where complete values are taken from: the top level, a top-level array, or a Records array. */
type Split = 'top' | 'array' | 'records' | 'rest-of-records-object';

export class JsonFramer {
  private readonly maxValueBytes: number;
  private readonly stack = new Uint8Array(MAX_DEPTH);
  private depth = 0;
  private inString = false;
  private escaped = false;
  private split: Split = 'top';
  private valueIndex = 0;
  private elementIndex = 0;
  private streamOffset = 0;
  private carry: Buffer | null = null;
  private atStreamStart = true;

  // The element being collected.
  private inElement = false;
  private primitive = false;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private elementOffset = 0;
  private tooDeep = false;

  private out: Frame[] = [];

  constructor(options: FramerOptions) {
    this.maxValueBytes = options.maxValueBytes;
  }

  /** Feeds the next chunk; returns the frames it completed. */
  push(chunk: Uint8Array): Frame[] {
    let buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry) {
      buffer = Buffer.concat([this.carry, buffer]);
      this.carry = null;
    }
    this.scan(buffer, false);
    return this.drain();
  }

  /** Ends the stream; returns the last frames, with a `truncated` one if a value was left open. */
  end(): Frame[] {
    if (this.carry) {
      const carried = this.carry;
      this.carry = null;
      this.scan(carried, true);
    }
    if (this.inElement) {
      if (this.primitive && !this.inString && this.split === 'top') {
        this.emitElement(Buffer.alloc(0), 0, 0);
      } else {
        this.emitMalformed(
          'truncated',
          'input ended inside a value',
          this.collectedHead(Buffer.alloc(0), 0, 0),
        );
      }
    } else if (this.depth > 0) {
      this.pushMalformed(
        'truncated',
        `input ended inside ${this.split === 'array' ? 'an array' : 'the Records array'}`,
        '',
      );
    }
    this.depth = 0;
    return this.drain();
  }

  private drain(): Frame[] {
    const frames = this.out;
    this.out = [];
    return frames;
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

  private scan(chunk: Buffer, final: boolean): void {
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
      this.tooDeep = false;
      elementStart = at;
    };
    const finishElement = (endExclusive: number) => {
      this.emitElement(chunk, elementStart, endExclusive);
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
            const text = this.collectedHead(chunk, elementStart, nextNewline);
            this.emitMalformed('invalid_json', 'unterminated string before the end of the line', text);
            this.inString = false;
            this.depth = 0;
            i = nextNewline + 1;
            continue;
          }
        }
        if (quote === -1) {
          let run = 0;
          for (let k = length - 1; k >= i && chunk[k] === BACKSLASH; k--) run++;
          this.escaped = run % 2 === 1;
          i = length;
          break;
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
          if (this.depth <= MAX_DEPTH && this.stack[this.depth - 1] !== expected) {
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
  }

  private enterContainer(byte: number): void {
    if (this.depth < MAX_DEPTH) this.stack[this.depth] = byte;
    else this.tooDeep = true;
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
    if (this.partsBytes + part.length > this.maxValueBytes) {
      if (this.partsBytes < HEAD_BYTES) this.parts.push(part.subarray(0, HEAD_BYTES - this.partsBytes));
      this.partsBytes = this.maxValueBytes + 1; // keep only the head from now on
      return;
    }
    this.parts.push(part);
    this.partsBytes += part.length;
  }

  private collectedHead(chunk: Buffer, start: number, end: number): string {
    const joined = Buffer.concat([...this.parts, chunk.subarray(start, Math.min(end, start + HEAD_BYTES))]);
    return joined.toString('utf8', 0, Math.min(joined.length, HEAD_BYTES));
  }

  private emitElement(chunk: Buffer, start: number, end: number): void {
    const size = this.partsBytes + (end - start);
    if (size > this.maxValueBytes) {
      this.emitMalformed(
        'too_large',
        `value is larger than the ${this.maxValueBytes}-byte limit`,
        this.collectedHead(chunk, start, end),
      );
    } else if (this.tooDeep) {
      this.emitMalformed(
        'too_large',
        `value nests deeper than ${MAX_DEPTH} levels`,
        this.collectedHead(chunk, start, end),
      );
    } else {
      const text =
        this.parts.length === 0
          ? chunk.toString('utf8', start, end)
          : Buffer.concat([...this.parts, chunk.subarray(start, end)]).toString('utf8');
      this.out.push({
        type: 'value',
        text,
        value: this.valueIndex,
        path: this.path(),
        offset: this.elementOffset,
      });
      this.advance();
    }
  }

  private emitMalformed(code: MalformedFrame['code'], message: string, text: string): void {
    this.pushMalformed(code, message, text);
    this.advance();
  }

  private pushMalformed(code: MalformedFrame['code'], message: string, text: string): void {
    const offset = this.inElement ? this.elementOffset : this.streamOffset;
    this.out.push({
      type: 'malformed',
      code,
      message,
      text,
      value: this.valueIndex,
      path: this.path(),
      offset,
    });
  }

  private advance(): void {
    this.inElement = false;
    this.primitive = false;
    this.parts = [];
    this.partsBytes = 0;
    this.tooDeep = false;
    if (this.split === 'top') this.valueIndex++;
    else this.elementIndex++;
  }
}
