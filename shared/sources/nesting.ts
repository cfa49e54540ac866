import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes.js';

/**
 * The one nesting cap of every decoding level. JSON.parse copes with any depth, but
 * JSON.stringify, structuredClone and any recursive walk overflow the stack a few thousand levels
 * down, so a deeper value is rejected before anything recurses into it. Depth counts open
 * containers: `1` is 0 deep, `{"a":1}` 1, `{"a":[1]}` 2.
 */
export const MAX_DEPTH = 1024;

export function tooDeepMessage(what: string): string {
  return `${what} nests deeper than ${MAX_DEPTH} levels`;
}

/**
 * Whether the JSON text in bytes[start, end), if valid, surely opens no more than `MAX_DEPTH`
 * containers at once: each container of a valid text takes two bytes, and past 2 × MAX_DEPTH bytes
 * every `{` and `[` byte (found natively) is counted, inside strings or not.
 */
export function bytesNestWithinCap(bytes: Buffer, start: number, end: number): boolean {
  if (end - start <= 2 * MAX_DEPTH) return true;
  let opened = 0;
  for (const opener of [OPEN_BRACE, OPEN_BRACKET]) {
    for (let at = bytes.indexOf(opener, start); at !== -1 && at < end; at = bytes.indexOf(opener, at + 1)) {
      if (++opened > MAX_DEPTH) return false;
    }
  }
  return true;
}

/** Whether a JSON text opens more than `MAX_DEPTH` containers at once; strings are jumped over. */
export function textNestsTooDeep(text: string): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      // Jump to the closing quote: one preceded by an even run of backslashes.
      let end = text.indexOf('"', i + 1);
      while (end !== -1) {
        let run = 0;
        for (let k = end - 1; text.charCodeAt(k) === BACKSLASH; k--) run++;
        if (run % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end === -1) return false; // unterminated: JSON.parse will say so
      i = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > MAX_DEPTH) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** The same for a value already parsed (e.g. by a functions framework), walked without recursion. */
export function valueNestsTooDeep(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const current = pending.pop() as object;
    const depth = depths.pop() as number;
    if (depth > MAX_DEPTH) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
