import { createHash } from 'node:crypto';
import type { WholeBytes } from './decoded-item.js';

/** What a rejection keeps of a value over `maxValueBytes`: its first 64 KiB, plus `whole`. */
export const HEAD_BYTES = 64 * 1024;

export interface Kept {
  readonly raw: string;
  readonly whole?: WholeBytes;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `bytes` without a UTF-8 character cut off at its end (a head, or input that stopped short). */
export function withoutCutCharacter(bytes: Buffer): Buffer {
  let lead = bytes.length - 1;
  // Step back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  while (lead >= 0 && lead > bytes.length - 4 && ((bytes[lead] as number) & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes;
  const first = bytes[lead] as number;
  const needs = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return bytes.length - lead < needs ? bytes.subarray(0, lead) : bytes;
}

/** The longest prefix of `bytes` of at most `max` bytes that does not end inside a UTF-8 character. */
export function utf8Head(bytes: Buffer, max: number): Buffer {
  return withoutCutCharacter(bytes.subarray(0, max));
}

/** A text as `raw`: whole up to `maxBytes` (UTF-8), else its head and the whole's length and hash. */
export function keepText(text: string, maxBytes: number): Kept {
  // A UTF-16 string never takes more than 3 UTF-8 bytes per code unit: most texts skip the encode.
  if (text.length * 3 <= maxBytes) return { raw: text };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { raw: text };
  return {
    raw: utf8Head(bytes, Math.min(HEAD_BYTES, maxBytes)).toString('utf8'),
    whole: { bytes: bytes.length, sha256: sha256Hex(bytes) },
  };
}

/** `raw` for a value that has no text of its own (parsed by someone else): serialized without recursion. */
export function keepValue(value: unknown, maxBytes: number): Kept {
  return keepText(serialize(value), maxBytes);
}

type Open = { readonly close: string; readonly entries: [string | null, unknown][]; index: number };

/** JSON.stringify for parsed JSON, iterative so that no nesting depth can overflow the stack. */
export function serialize(value: unknown): string {
  const out: string[] = [];
  const stack: Open[] = [];
  const open = (container: object) => {
    if (Array.isArray(container)) {
      out.push('[');
      stack.push({ close: ']', entries: container.map((v) => [null, v]), index: 0 });
    } else {
      out.push('{');
      const entries = Object.entries(container).filter(([, v]) => v !== undefined && typeof v !== 'function');
      stack.push({ close: '}', entries, index: 0 });
    }
  };
  const write = (item: unknown) => {
    if (
      item !== null &&
      typeof item === 'object' &&
      typeof (item as { toJSON?: unknown }).toJSON !== 'function'
    ) {
      open(item);
    } else {
      out.push(JSON.stringify(item) ?? 'null');
    }
  };
  write(value);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Open;
    if (top.index === top.entries.length) {
      out.push(top.close);
      stack.pop();
      continue;
    }
    const [key, item] = top.entries[top.index] as [string | null, unknown];
    if (top.index > 0) out.push(',');
    top.index++;
    if (key !== null) out.push(`${JSON.stringify(key)}:`);
    write(item);
  }
  return out.join('');
}
