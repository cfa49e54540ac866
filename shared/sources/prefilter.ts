/**
 * Decides from a framed CloudTrail record's bytes, without JSON.parse, that no normalizer would
 * take it, so it can be counted as skipped (`not_federation`) unparsed. Exact, never a guess: it
 * says "irrelevant" only when the bytes are one valid JSON object (the full path would not reject
 * it as invalid_json) whose top-level relevance fields, read with JSON's own rules (last duplicate
 * key wins), fail every clause of CLOUDTRAIL_RELEVANCE. Whenever the bytes cannot decide (an
 * escape in a top-level key or in one of those values, nesting past the cap, anything that is not
 * valid JSON) the record goes to the full path. See docs/decisions/0003-prefilter.md.
 */

import type { JsonObject } from '../core/json-access.js';
import { CLOUDTRAIL_RELEVANCE } from '../core/normalize/normalize-record.js';
import { isRelevant, type Relevance, relevanceFields } from '../core/normalize/relevance.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './json-bytes.js';
import { MAX_DEPTH } from './nesting.js';

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Bytes a string may hold as they are (0), its end (1), an escape (2), or never raw (3: control characters). */
const IN_STRING = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte++) IN_STRING[byte] = 3;
IN_STRING[QUOTE] = 1;
IN_STRING[BACKSLASH] = 2;

const IS_SPACE = new Uint8Array(256);
for (const byte of [0x20, 0x09, 0x0a, 0x0d]) IS_SPACE[byte] = 1;

const IS_HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') IS_HEX[c.charCodeAt(0)] = 1;

/** What may follow a backslash: `" \ / b f n r t`, and `u` with four hex digits. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** Stands for a relevance field present with a value that is no string (matchers compare with strings only). */
const NOT_A_STRING = null;
const UNDECIDED = -1;

// What the parser expects next.
const VALUE = 0;
const VALUE_OR_CLOSE_ARRAY = 1;
const KEY = 2;
const KEY_OR_CLOSE_OBJECT = 3;
const COMMA_OR_CLOSE = 4;

export interface Prefilter {
  /**
   * For the record whose `{` is at `start`: where it ends (the index after its `}`, >= 0) when the
   * bytes up to there prove that no normalizer takes it (valid JSON; its relevance fields fail
   * every clause); `resumeAt(index)` (<= -2) when it may be relevant and its bytes are valid JSON
   * up to `index`, which is just after a member of the record's own object; -1 when the bytes
   * cannot tell. Bytes after the answer are not read. The caller checks that they are UTF-8.
   */
  irrelevantEnd(bytes: Buffer, start: number): number;
  /** True only when the bytes, one record and nothing else but whitespace, prove it irrelevant. */
  isIrrelevant(bytes: Buffer): boolean;
}

function matchesAt(bytes: Buffer, at: number, word: Buffer): boolean {
  if (at + word.length > bytes.length) return false;
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word[k]) return false;
  return true;
}

/**
 * Where the string whose content starts at `from` ends (the index after its closing quote), or
 * UNDECIDED if it is not a valid JSON string; negated (-end - 2) when it holds an escape.
 */
function stringEnd(bytes: Buffer, from: number, length: number): number {
  let i = from;
  let escapes = false;
  for (;;) {
    // Past the end, `bytes[i] | 0` is 0, a control character: the loop needs no bounds test.
    while (IN_STRING[(bytes[i] as number) | 0] === 0) i++;
    if (i >= length) return UNDECIDED;
    const kind = IN_STRING[bytes[i] as number];
    if (kind === 1) return escapes ? -(i + 1) - 2 : i + 1;
    if (kind === 3 || i + 1 >= length) return UNDECIDED;
    escapes = true;
    const escaped = bytes[i + 1] as number;
    if (SIMPLE_ESCAPE[escaped] === 1) {
      i += 2;
      continue;
    }
    if (escaped !== 0x75 || i + 6 > length) return UNDECIDED;
    if (
      (IS_HEX[bytes[i + 2] as number]! &
        IS_HEX[bytes[i + 3] as number]! &
        IS_HEX[bytes[i + 4] as number]! &
        IS_HEX[bytes[i + 5] as number]!) !==
      1
    ) {
      return UNDECIDED;
    }
    i += 6;
  }
}

/** Where the number starting at `from` ends, by JSON's grammar; UNDECIDED if it is not one. */
function numberEnd(bytes: Buffer, from: number): number {
  let i = from;
  if (bytes[i] === MINUS) i++;
  const first = bytes[i];
  if (first === ZERO) i++;
  else if (first !== undefined && first > ZERO && first <= NINE) {
    while (isDigit(bytes[i])) i++;
  } else return UNDECIDED;
  if (bytes[i] === DOT) {
    i++;
    if (!isDigit(bytes[i])) return UNDECIDED;
    while (isDigit(bytes[i])) i++;
  }
  if (bytes[i] === 0x65 || bytes[i] === 0x45) {
    i++;
    if (bytes[i] === PLUS || bytes[i] === MINUS) i++;
    if (!isDigit(bytes[i])) return UNDECIDED;
    while (isDigit(bytes[i])) i++;
  }
  return i;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= NINE;
}

/** `irrelevantEnd`'s answer for a record that may be relevant, valid up to `index`. */
function resumeAt(index: number): number {
  return -index - 2;
}

/** The index a `resumeAt` answer carries. */
export function resumeIndex(answer: number): number {
  return -answer - 2;
}

/** A prefilter for records some normalizer with `relevance` would take. */
export function prefilterFor(relevance: Relevance): Prefilter {
  const fields = relevanceFields(relevance);
  const keys = fields.map((field) => Buffer.from(field, 'utf8'));
  /** Per field, every string some clause compares it with. */
  const candidateTexts = fields.map((field) => {
    const values = relevance.anyOf.flatMap((clause) =>
      clause.filter((t) => t.field === field).flatMap((t) => t.oneOf),
    );
    return [...new Set(values)];
  });
  /** The same as UTF-8 bytes, to compare with the record's. */
  const candidates = candidateTexts.map((list) => list.map((value) => Buffer.from(value, 'utf8')));
  /** Stands for any string no clause names: every test treats all of them alike. */
  let otherString = '\u0000';
  while (candidateTexts.some((list) => list.includes(otherString))) otherString += '\u0000';
  const seen: JsonObject = {};
  /** Whether a record can match only if some field holds a string a clause names (no clause is all `orAbsent`). */
  const needsANamedValue = relevance.anyOf.every((clause) => clause.some((test) => test.orAbsent !== true));

  /** The field's candidate string equal to the bytes [start, end) (no escapes), or `otherString`. */
  function candidateOf(field: number, bytes: Buffer, start: number, end: number): string {
    const values = candidates[field]!;
    for (let c = 0; c < values.length; c++) {
      const value = values[c]!;
      if (value.length === end - start && matchesAt(bytes, start, value)) return candidateTexts[field]![c]!;
    }
    return otherString;
  }
  // The framer's cap: a record may open MAX_DEPTH containers, itself included.
  const closers = new Uint8Array(MAX_DEPTH);

  /** Index of the relevance field named by the key bytes [start, end), or -1. */
  function fieldOf(bytes: Buffer, start: number, end: number): number {
    for (let f = 0; f < keys.length; f++) {
      const key = keys[f]!;
      if (key.length === end - start && matchesAt(bytes, start, key)) return f;
    }
    return -1;
  }

  function irrelevantEnd(bytes: Buffer, start: number): number {
    const length = bytes.length;
    for (const name of fields) seen[name] = undefined;
    let i = start;
    if (bytes[i] !== OPEN_BRACE) return UNDECIDED; // not an object: the full path rejects it, with its own message
    let depth = 0;
    let expect = VALUE;
    let field = -1; // the relevance field whose value comes next
    let named = false; // some relevance field holds a string a clause names
    while (true) {
      while (i < length && IS_SPACE[bytes[i]!] === 1) i++;
      if (i >= length) return UNDECIDED;
      const byte = bytes[i]!;

      if (expect === COMMA_OR_CLOSE) {
        if (byte === COMMA) {
          expect = closers[depth - 1] === CLOSE_BRACE ? KEY : VALUE;
          i++;
          continue;
        }
        if (byte !== closers[depth - 1]) return UNDECIDED;
        depth--;
        i++;
        if (depth === 0) break;
        continue;
      }

      if (expect === KEY || expect === KEY_OR_CLOSE_OBJECT) {
        if (byte === CLOSE_BRACE && expect === KEY_OR_CLOSE_OBJECT) {
          depth--;
          i++;
          expect = COMMA_OR_CLOSE;
          if (depth === 0) break;
          continue;
        }
        if (byte !== QUOTE) return UNDECIDED;
        const end = stringEnd(bytes, i + 1, length);
        if (end === UNDECIDED) return UNDECIDED;
        if (depth === 1) {
          if (end < 0) return UNDECIDED; // an escaped key may spell a relevance field
          field = fieldOf(bytes, i + 1, end - 1);
        }
        i = end < 0 ? -end - 2 : end;
        while (i < length && IS_SPACE[bytes[i]!] === 1) i++;
        if (bytes[i] !== COLON) return UNDECIDED;
        i++;
        expect = VALUE;
        continue;
      }

      // A value.
      if (byte === CLOSE_BRACKET && expect === VALUE_OR_CLOSE_ARRAY) {
        depth--;
        i++;
        expect = COMMA_OR_CLOSE;
        continue;
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (depth === closers.length) return UNDECIDED;
        if (field !== -1) {
          seen[fields[field]!] = NOT_A_STRING;
          field = -1;
        }
        closers[depth++] = byte === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
        expect = byte === OPEN_BRACE ? KEY_OR_CLOSE_OBJECT : VALUE_OR_CLOSE_ARRAY;
        i++;
        continue;
      }
      let end: number;
      if (byte === QUOTE) {
        end = stringEnd(bytes, i + 1, length);
        if (end === UNDECIDED) return UNDECIDED;
        if (field !== -1) {
          if (end < 0) return UNDECIDED;
          const value = candidateOf(field, bytes, i + 1, end - 1);
          seen[fields[field]!] = value;
          // It may match: parse, whatever follows.
          if (value !== otherString) {
            named = true;
            if (isRelevant(seen, relevance)) return resumeAt(end);
          }
        }
        if (end < 0) end = -end - 2;
      } else {
        if (byte === 0x74) end = matchesAt(bytes, i, TRUE) ? i + 4 : UNDECIDED;
        else if (byte === 0x66) end = matchesAt(bytes, i, FALSE) ? i + 5 : UNDECIDED;
        else if (byte === 0x6e) end = matchesAt(bytes, i, NULL) ? i + 4 : UNDECIDED;
        else end = numberEnd(bytes, i);
        if (end === UNDECIDED) return UNDECIDED;
        if (field !== -1) seen[fields[field]!] = NOT_A_STRING;
      }
      field = -1;
      i = end;
      expect = COMMA_OR_CLOSE;
    }
    if (needsANamedValue && !named) return i;
    return isRelevant(seen, relevance) ? UNDECIDED : i;
  }

  function isIrrelevant(bytes: Buffer): boolean {
    let start = 0;
    while (start < bytes.length && IS_SPACE[bytes[start]!] === 1) start++;
    let end = irrelevantEnd(bytes, start);
    if (end < 0) return false;
    while (end < bytes.length && IS_SPACE[bytes[end]!] === 1) end++;
    return end === bytes.length;
  }

  return { irrelevantEnd, isIrrelevant };
}

/** The prefilter of the CloudTrail normalizers (shared/core/normalize). */
export const cloudTrailPrefilter: Prefilter = prefilterFor(CLOUDTRAIL_RELEVANCE);
