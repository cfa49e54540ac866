import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Rejection } from '../../pipeline/ports.js';
import { QUARANTINE_RAW_MAX_BYTES, quarantineRow } from './quarantine-row.js';

const AT = '2026-11-22T12:00:00.000000Z';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function rejection(raw: string, extra: Partial<Rejection> = {}): Rejection {
  return {
    input: 'logs/trail.json',
    code: 'invalid_json',
    message: 'Unexpected token',
    raw,
    delivery: 'plain',
    position: { value: 3, path: '', offset: 1234 },
    ...extra,
  };
}

function isPrefix(head: Uint8Array, whole: Uint8Array): boolean {
  return head.length <= whole.length && Buffer.compare(head, whole.subarray(0, head.length)) === 0;
}

/** Any text, astral characters, lone surrogates and multi-byte runs included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\ud800', '\udc00'), maxLength: 200 }),
);

describe('quarantineRow', () => {
  it('keeps at most N bytes of valid UTF-8, a prefix of the record, and describes the whole record', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 64 }), (raw, maxBytes) => {
        const original = Buffer.from(raw, 'utf8');
        const row = quarantineRow(rejection(raw), AT, maxBytes);
        const kept = Buffer.from(row.raw, 'utf8');
        expect(kept.length).toBeLessThanOrEqual(maxBytes);
        expect(() => strictUtf8.decode(kept)).not.toThrow();
        // A cut head is text of whole characters: no surrogate half left to become U+FFFD.
        if (row.raw_truncated) expect(LONE_SURROGATE.test(row.raw)).toBe(false);
        expect(isPrefix(kept, original)).toBe(true);
        // The longest such prefix: a cut loses at most the 3 bytes of one partial character.
        expect(kept.length).toBeGreaterThan(Math.min(original.length, maxBytes) - 4);
        expect(row.raw_bytes).toBe(original.length);
        expect(row.raw_sha256).toBe(sha256(original));
        expect(row.raw_truncated).toBe(original.length > maxBytes);
        if (!row.raw_truncated) expect(row.raw).toBe(raw);
      }),
    );
  });

  it('takes length and hash from the decoder when it kept only a head itself', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        (whole, maxBytes) => {
          const bytes = Buffer.from(whole, 'utf8');
          const head = bytes
            .subarray(0, Math.floor(bytes.length / 2))
            .toString('utf8')
            .replace(/\ufffd$/u, '');
          const row = quarantineRow(
            rejection(head, { whole: { bytes: bytes.length, sha256: sha256(bytes) } }),
            AT,
            maxBytes,
          );
          expect(Buffer.byteLength(row.raw, 'utf8')).toBeLessThanOrEqual(maxBytes);
          expect(isPrefix(Buffer.from(row.raw, 'utf8'), bytes)).toBe(true);
          expect(row.raw_bytes).toBe(bytes.length);
          expect(row.raw_sha256).toBe(sha256(bytes));
          expect(row.raw_truncated).toBe(Buffer.byteLength(row.raw, 'utf8') < bytes.length);
        },
      ),
    );
  });

  it('says a base64 raw of only the head of the bytes (an input that is not JSON) is truncated, and one of all of them is not', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe]);
    const whole = { bytes: bytes.length, sha256: sha256(bytes) };
    const encoded = (kept: Buffer) =>
      quarantineRow(rejection(kept.toString('base64'), { code: 'invalid_encoding', whole }), AT);
    expect(encoded(bytes.subarray(0, 4))).toMatchObject({
      raw_bytes: 10,
      raw_sha256: whole.sha256,
      raw_truncated: true,
    });
    expect(encoded(bytes)).toMatchObject({ raw_bytes: 10, raw_truncated: false });
  });

  it('caps a 1 MiB record at the default 64 KiB, cut before a character split by the limit', () => {
    const raw = `€${'x'.repeat(QUARANTINE_RAW_MAX_BYTES - 5)}😀${'y'.repeat(1 << 20)}`;
    const row = quarantineRow(rejection(raw), AT);
    expect(QUARANTINE_RAW_MAX_BYTES).toBe(64 * 1024);
    expect(row.raw).toBe(raw.slice(0, 1 + QUARANTINE_RAW_MAX_BYTES - 5));
    expect(row).toMatchObject({
      raw_bytes: Buffer.byteLength(raw, 'utf8'),
      raw_sha256: sha256(Buffer.from(raw, 'utf8')),
      raw_truncated: true,
    });
  });

  it('keeps the id a record had before the cap (whole or a decoder head), and one id per record however large', () => {
    const small = quarantineRow(rejection('{"broken"'), AT);
    expect(small.quarantine_id).toBe(
      createHash('sha256')
        .update(JSON.stringify(['logs/trail.json', 'plain', 3, '', 1234, 'invalid_json', '{"broken"']))
        .digest('hex'),
    );
    const framerHead = quarantineRow(
      rejection('{"broken"', { whole: { bytes: 5_000_000, sha256: 'f'.repeat(64) } }),
      AT,
    );
    expect(framerHead.quarantine_id).toBe(small.quarantine_id);
    const big = 'z'.repeat(QUARANTINE_RAW_MAX_BYTES + 1);
    expect(quarantineRow(rejection(big), AT).quarantine_id).toBe(
      quarantineRow(rejection(big), AT).quarantine_id,
    );
    expect(quarantineRow(rejection(big), AT).quarantine_id).not.toBe(
      quarantineRow(rejection(`${big}z`), AT).quarantine_id,
    );
  });
});
