import { gunzipSync } from 'node:zlib';
import { RejectError } from '../core/errors.js';
import { textNestsTooDeep, tooDeepMessage } from './nesting.js';

// Linear on any input: no two adjacent quantifiers accept the same character (a line break may
// only follow padding), so a long run of newlines before a bad byte cannot backtrack.
const BASE64 = /^[A-Za-z0-9+/\r\n]*(?:=[\r\n]*){0,2}$|^[A-Za-z0-9_-]*={0,2}$/;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Strict base64 (standard or URL-safe): Buffer.from alone silently skips invalid characters. */
export function decodeBase64(text: string, what: string): Buffer {
  if (!BASE64.test(text)) throw new RejectError('invalid_encoding', `${what} is not base64`);
  return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
}

/** One wording for corrupt gzip, whether it was inflated in memory or as a stream. */
export function notGzipMessage(what: string, error: unknown): string {
  return `${what} is not valid gzip: ${(error as Error).message}`;
}

/** Gunzips an in-memory payload, refusing to expand past `maxBytes` (a gzip bomb stops here). */
export function gunzipCapped(bytes: Uint8Array, maxBytes: number, what: string): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new RejectError('too_large', `${what} expands past the ${maxBytes}-byte limit`);
    }
    throw new RejectError('decompression_failed', notGzipMessage(what, error));
  }
}

/** Whether a string is whole Unicode (no lone surrogate): the UTF-8 check for a text already decoded. */
function isWellFormedText(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Parses an inner JSON text (a log event message, a Pub/Sub payload, a CloudTrailEvent string)
 * under the caps the framer holds a streamed value to: size, UTF-8 and nesting depth.
 */
export function parseJson(text: string, what: string, maxBytes = Number.POSITIVE_INFINITY): unknown {
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes)) {
    throw new RejectError('too_large', `${what} is larger than the ${maxBytes}-byte limit`);
  }
  if (!isWellFormedText(text)) {
    throw new RejectError('invalid_encoding', `${what} is not UTF-8 text (it holds a lone surrogate)`);
  }
  if (textNestsTooDeep(text)) throw new RejectError('too_large', tooDeepMessage(what));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RejectError('invalid_json', `${what} is not JSON: ${(error as Error).message}`);
  }
}

export function utf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RejectError('invalid_encoding', `${what} is not UTF-8 text`);
  }
}
