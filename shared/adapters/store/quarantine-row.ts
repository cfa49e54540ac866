import { createHash } from 'node:crypto';
import type { QuarantineRow } from '../../core/schema/row.js';
import type { Rejection } from '../../pipeline/ports.js';
import { utf8Head } from '../../sources/kept-bytes.js';
import { stableId } from './stable-id.js';

/**
 * How much of a rejected record a quarantine row holds: enough to read what it was, small enough
 * that one hostile 157 MB body cannot fill a store or break BigQuery's 10 MB insertAll row limit.
 * The rest is found again through input + position.offset + raw_bytes and checked by raw_sha256.
 */
export const QUARANTINE_RAW_MAX_BYTES = 64 * 1024;

/**
 * The longest head of `text` whose UTF-8 is at most `maxBytes` bytes, cut between characters, so
 * its bytes are a prefix of the whole text's bytes.
 */
function textHead(text: string, maxBytes: number): string {
  // Every UTF-16 unit encodes to at least one byte: the first maxBytes units cover the head.
  let units = Math.min(text.length, maxBytes);
  const last = text.charCodeAt(units - 1);
  if (units < text.length && last >= 0xd800 && last <= 0xdbff) units--; // keep a surrogate pair whole
  return utf8Head(Buffer.from(text.slice(0, units), 'utf8'), maxBytes).toString('utf8');
}

/**
 * The stored form of a rejection, the one place every path (CLI, backfill, the functions) keeps a
 * rejected record: its head up to QUARANTINE_RAW_MAX_BYTES, and the byte length and SHA-256 of all
 * of it (from the decoder when it kept only a head itself). Its id hashes where the record came
 * from and its bytes, so re-ingesting an input keeps one copy, while equal bytes at two places
 * stay two records.
 */
export function quarantineRow(
  rejection: Rejection,
  quarantinedAt: string,
  maxRawBytes = QUARANTINE_RAW_MAX_BYTES,
): QuarantineRow {
  const { input, delivery, position, code, message, raw, whole } = rejection;
  const rawBytes = Buffer.byteLength(raw, 'utf8');
  const head = rawBytes > maxRawBytes ? textHead(raw, maxRawBytes) : raw;
  const headBytes = head === raw ? rawBytes : Buffer.byteLength(head, 'utf8');
  const rawSha256 = () => createHash('sha256').update(raw, 'utf8').digest('hex');
  const bytes = whole?.bytes ?? rawBytes;
  const sha256 = whole?.sha256 ?? rawSha256();
  // An invalid_encoding raw with `whole` is base64 of the bytes kept (all of them, or the head
  // of an input that is not JSON): longer than they are, and cut only if they are fewer than all.
  const keptBytes =
    code === 'invalid_encoding' ? (whole ? Buffer.byteLength(raw, 'base64') : bytes) : headBytes;
  const truncated = head !== raw || keptBytes < bytes;
  // Ids of records stored before the cap stay as they were (re-ingesting keeps one copy); only
  // text over the cap is named by its hash, so a huge body is not copied once more to be hashed.
  const content = head === raw ? raw : `sha256:${whole === undefined ? sha256 : rawSha256()}`;
  const id = stableId(
    JSON.stringify([input, delivery, position.value, position.path, position.offset, code, content]),
  );
  return {
    quarantine_id: id,
    quarantined_at: quarantinedAt,
    input,
    delivery,
    position: { value: position.value, path: position.path, offset: position.offset },
    code,
    message,
    raw: head,
    raw_bytes: bytes,
    raw_sha256: sha256,
    raw_truncated: truncated,
  };
}
