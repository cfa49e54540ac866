/**
 * Decides from a framed CloudTrail record's bytes, without JSON.parse, that no normalizer would
 * take it, so it can be counted as skipped (`not_federation`) unparsed. Exact, never a guess: it
 * says "irrelevant" only when the bytes are one valid JSON object (the full path would not reject
 * it as invalid_json) whose top-level relevance fields, read with JSON's own rules (last duplicate
 * key wins), fail every clause of CLOUDTRAIL_RELEVANCE. Whenever the bytes cannot decide (an
 * escape in a top-level key or in one of those values, nesting past the cap, anything that is not
 * valid JSON, a key some normalizer tests nested (`federatedProvider`) or any escaped key at
 * all) the record goes to the full path. The same pass finds where an irrelevant record ends;
 * it stops at a relevant one, whose end the framer finds without a scan. See
 * docs/decisions/0003-prefilter.md and 0005-normalize-hot-path.md.
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

export interface Prefilter {
  /**
   * For the record whose `{` is at `start`: `end` (>= 0) when its bytes are one valid JSON object
   * ending at index `end` (just after its `}`) whose relevance fields fail every clause (no
   * normalizer takes it). As soon as some normalizer may take it (or a key one tests nested
   * appears), reading stops at that index `i` and the answer is `relevantAt(i)` (<= -2, see
   * `readUpTo`): the record is to be parsed, and is not yet known to be valid JSON. -1 when the
   * bytes cannot tell: not valid JSON, an escape where it matters, nesting past the cap, or the
   * bytes end first. The caller checks that the bytes are UTF-8.
   */
  judge(bytes: Buffer, start: number): number;
  /** True only when the bytes, one record and nothing else but whitespace, prove it irrelevant. */
  isIrrelevant(bytes: Buffer): boolean;
}

function matchesAt(bytes: Buffer, at: number, word: Buffer): boolean {
  if (at + word.length > bytes.length) return false;
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word[k]) return false;
  return true;
}

/**
 * The byte at `i`, or 0 past the end (a control character: valid nowhere here, so every test
 * fails on it). Every read goes through it: one read past a typed array's end makes V8 recompile
 * the loop with slower loads for good (measured in docs/decisions/0005-normalize-hot-path.md).
 */
function byteAt(bytes: Buffer, i: number, length: number): number {
  return i < length ? (bytes[i] as number) : 0;
}

/** Past the whitespace at `from`. */
function spaceEnd(bytes: Buffer, from: number, length: number): number {
  let i = from;
  while (i < length && IS_SPACE[bytes[i] as number] === 1) i++;
  return i;
}

/**
 * Where the string whose content starts at `from` ends (the index after its closing quote), or
 * UNDECIDED if it is not a valid JSON string; negated (-end - 2) when it holds an escape.
 */
function stringEnd(bytes: Buffer, from: number, length: number): number {
  let i = from;
  let escapes = false;
  for (;;) {
    // Four bytes a turn while they fit: most string bytes need no other test.
    const last = length - 4;
    while (
      i <= last &&
      (IN_STRING[bytes[i] as number]! |
        IN_STRING[bytes[i + 1] as number]! |
        IN_STRING[bytes[i + 2] as number]! |
        IN_STRING[bytes[i + 3] as number]!) ===
        0
    ) {
      i += 4;
    }
    while (i < length && IN_STRING[bytes[i] as number] === 0) i++;
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
function numberEnd(bytes: Buffer, from: number, length: number): number {
  let i = from;
  if (byteAt(bytes, i, length) === MINUS) i++;
  const first = byteAt(bytes, i, length);
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) {
    while (isDigit(byteAt(bytes, i, length))) i++;
  } else return UNDECIDED;
  if (byteAt(bytes, i, length) === DOT) {
    i++;
    if (!isDigit(byteAt(bytes, i, length))) return UNDECIDED;
    while (isDigit(byteAt(bytes, i, length))) i++;
  }
  const exponent = byteAt(bytes, i, length);
  if (exponent === 0x65 || exponent === 0x45) {
    i++;
    const sign = byteAt(bytes, i, length);
    if (sign === PLUS || sign === MINUS) i++;
    if (!isDigit(byteAt(bytes, i, length))) return UNDECIDED;
    while (isDigit(byteAt(bytes, i, length))) i++;
  }
  return i;
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= NINE;
}

/** `judge`'s answer for a record some normalizer may take, read up to index `at`. */
function relevantAt(at: number): number {
  return -at - 2;
}

/** Where `judge` stopped reading a record to parse, from its answer <= -2. */
export function readUpTo(answer: number): number {
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
  /** Keys whose presence at any depth means "parse": a normalizer tests them nested. */
  const nestedKeys = (relevance.nestedKeys ?? []).map((key) => Buffer.from(key, 'utf8'));
  function isNestedKey(bytes: Buffer, start: number, end: number): boolean {
    for (let k = 0; k < nestedKeys.length; k++) {
      const key = nestedKeys[k]!;
      if (key.length === end - start && matchesAt(bytes, start, key)) return true;
    }
    return false;
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

  /**
   * One pass over the record: each turn of the loop reads a value (after its key, in an object)
   * and then the commas and closers up to the next one, so a member costs one turn.
   */
  function judge(bytes: Buffer, start: number): number {
    const length = bytes.length;
    if (byteAt(bytes, start, length) !== OPEN_BRACE) return UNDECIDED; // not an object: the full path rejects it, with its own message
    for (let f = 0; f < fields.length; f++) seen[fields[f]!] = undefined;
    let i = start;
    let depth = 0; // open containers, the record's own object included
    let keyNext = false; // a key (and its colon) comes before the next value
    let field = -1; // the relevance field whose value comes next
    let named = false; // some relevance field holds a string a clause names
    for (;;) {
      if (keyNext) {
        i = spaceEnd(bytes, i, length);
        if (byteAt(bytes, i, length) !== QUOTE) return UNDECIDED;
        const end = stringEnd(bytes, i + 1, length);
        if (end === UNDECIDED) return UNDECIDED;
        if (depth === 1) {
          if (end < 0) return UNDECIDED; // an escaped key may spell a relevance field
          if (nestedKeys.length > 0 && isNestedKey(bytes, i + 1, end - 1)) return relevantAt(end);
          field = fieldOf(bytes, i + 1, end - 1);
          i = end;
        } else if (nestedKeys.length > 0) {
          // A nested key a normalizer tests means parse; an escaped key may spell one.
          if (end < 0) return UNDECIDED;
          if (isNestedKey(bytes, i + 1, end - 1)) return relevantAt(end);
          i = end;
        } else i = end < 0 ? -end - 2 : end;
        if (byteAt(bytes, i, length) !== COLON) {
          i = spaceEnd(bytes, i, length);
          if (byteAt(bytes, i, length) !== COLON) return UNDECIDED;
        }
        i++;
      }

      // A value.
      let byte = byteAt(bytes, i, length);
      if (IS_SPACE[byte] === 1) {
        i = spaceEnd(bytes, i + 1, length);
        byte = byteAt(bytes, i, length);
      }
      if (byte === QUOTE) {
        const end = stringEnd(bytes, i + 1, length);
        if (end === UNDECIDED) return UNDECIDED;
        if (field !== -1) {
          if (end < 0) return UNDECIDED;
          const value = candidateOf(field, bytes, i + 1, end - 1);
          seen[fields[field]!] = value;
          if (value !== otherString) {
            named = true;
            if (isRelevant(seen, relevance)) return relevantAt(end);
          }
          field = -1;
          i = end;
        } else i = end < 0 ? -end - 2 : end;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (depth === closers.length) return UNDECIDED;
        if (field !== -1) {
          seen[fields[field]!] = NOT_A_STRING;
          field = -1;
        }
        const closer = byte === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
        i = spaceEnd(bytes, i + 1, length);
        if (byteAt(bytes, i, length) === closer) {
          i++; // empty
        } else {
          closers[depth++] = closer;
          keyNext = closer === CLOSE_BRACE;
          continue;
        }
      } else {
        let end: number;
        if (byte === 0x74) end = matchesAt(bytes, i, TRUE) ? i + 4 : UNDECIDED;
        else if (byte === 0x66) end = matchesAt(bytes, i, FALSE) ? i + 5 : UNDECIDED;
        else if (byte === 0x6e) end = matchesAt(bytes, i, NULL) ? i + 4 : UNDECIDED;
        else end = numberEnd(bytes, i, length);
        if (end === UNDECIDED) return UNDECIDED;
        if (field !== -1) {
          seen[fields[field]!] = NOT_A_STRING;
          field = -1;
        }
        i = end;
      }

      // After a value: the closers that follow it, then a comma, or the record's end.
      for (;;) {
        if (depth === 0) {
          if (needsANamedValue && !named) return i;
          return isRelevant(seen, relevance) ? relevantAt(i) : i;
        }
        byte = byteAt(bytes, i, length);
        if (IS_SPACE[byte] === 1) {
          i = spaceEnd(bytes, i + 1, length);
          byte = byteAt(bytes, i, length);
        }
        const closer = closers[depth - 1]!;
        if (byte === COMMA) {
          keyNext = closer === CLOSE_BRACE;
          i++;
          break;
        }
        if (byte !== closer) return UNDECIDED;
        depth--;
        i++;
      }
    }
  }

  function isIrrelevant(bytes: Buffer): boolean {
    let start = 0;
    while (start < bytes.length && IS_SPACE[bytes[start]!] === 1) start++;
    let end = judge(bytes, start);
    if (end < 0) return false;
    while (end < bytes.length && IS_SPACE[bytes[end]!] === 1) end++;
    return end === bytes.length;
  }

  return { judge, isIrrelevant };
}

/** The prefilter of the CloudTrail normalizers (shared/core/normalize). */
export const cloudTrailPrefilter: Prefilter = prefilterFor(CLOUDTRAIL_RELEVANCE);
