import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DEFAULT_LIMITS, type DecodedItem, type DecodeLimits, decodeBytes, decodeStream } from './index.js';
import { NOT_JSON_HEAD_BYTES } from './not-json.js';

/** Issue 17: an input that is not JSON from its first byte is one rejection, not one per line. */

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const RECORD = JSON.stringify({
  eventVersion: '1.08',
  eventTime: '2025-01-20T14:20:00Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRoleWithWebIdentity',
  eventID: 'c3c3c3c3-0001-4000-8000-000000000000',
});
const README = Buffer.from(
  '# tokentrail\n\n**Who became whom**, and which bucket they touched.\n\n```sh\nnpm start\n```\n{"not": "a record"}\n',
);

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function streamed(bytes: Buffer, size: number, limits: DecodeLimits = DEFAULT_LIMITS) {
  const items: DecodedItem[] = [];
  for await (const batch of decodeStream(chunks(bytes, size), limits)) items.push(...batch);
  return items;
}

/** decodeBytes, and decodeStream in one chunk, in 1-byte chunks and in 7-byte chunks: all alike. */
async function everyWay(bytes: Buffer, limits: DecodeLimits = DEFAULT_LIMITS): Promise<DecodedItem[]> {
  const once = decodeBytes(bytes, limits);
  for (const size of [bytes.length || 1, 1, 7]) expect(await streamed(bytes, size, limits)).toEqual(once);
  return once;
}

describe('an input that does not open with { or [', () => {
  it('is one invalid_json rejection for a README, at offset 0, keeping all of it and quoting its start', async () => {
    const items = await everyWay(README);
    expect(items).toEqual([
      {
        type: 'reject',
        code: 'invalid_json',
        message: "not JSON: starts with '# tokentrail' (a JSON input starts with { or [)",
        raw: README.toString(),
        delivery: 'plain',
        position: { value: 0, path: '', offset: 0 },
      },
    ]);
  });

  it('is one invalid_encoding rejection for a binary, its bytes in base64 with their length and hash', async () => {
    const png = Buffer.concat([
      Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
      Buffer.from([0, 0, 0, 13, 0xff, 0xfe]),
    ]);
    const [item, ...rest] = await everyWay(png);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      type: 'reject',
      code: 'invalid_encoding',
      message: expect.stringMatching(
        /^not JSON: starts with '\\x89PNG' .*not UTF-8 text \(raw is the base64/,
      ),
      raw: png.toString('base64'),
      whole: { bytes: png.length, sha256: sha256(png) },
      position: { value: 0, path: '', offset: 0 },
    });
  });

  it('keeps the head of a large one, with the length and hash of all of it', async () => {
    const text = Buffer.from(`note: ${'ä'.repeat(NOT_JSON_HEAD_BYTES)}\n`); // two bytes a character: a head cut inside one
    const [item, ...rest] = await everyWay(text);
    expect(rest).toEqual([]);
    if (item?.type !== 'reject') throw new Error('expected a rejection');
    expect(item.code).toBe('invalid_json');
    expect(text.subarray(0, NOT_JSON_HEAD_BYTES).toString().startsWith(item.raw)).toBe(true);
    expect(Buffer.byteLength(item.raw)).toBeGreaterThan(NOT_JSON_HEAD_BYTES - 4);
    expect(item.whole).toEqual({ bytes: text.length, sha256: sha256(text) });
  });

  it('is one rejection after gunzip, describing the decompressed bytes', async () => {
    const [item, ...rest] = await everyWay(gzipSync(README));
    expect(rest).toEqual([]);
    expect(item).toMatchObject({ code: 'invalid_json', raw: README.toString(), position: { offset: 0 } });
  });

  it('is one rejection when a gzip stream of text is cut short, for the bytes read, coded as the gzip fault', async () => {
    const gz = gzipSync(Buffer.concat([README, Buffer.alloc(200_000, 'x')]));
    const items = await streamed(gz.subarray(0, gz.length - 100), 1000);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      type: 'reject',
      code: 'decompression_failed',
      message: expect.stringMatching(/^not JSON: starts with '# tokentrail'.*: not read to its end$/),
    });
  });

  it('is one too_large rejection when a gzip stream of text expands past the cap', async () => {
    const limits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 100_000 };
    const items = await streamed(gzipSync(Buffer.concat([README, Buffer.alloc(500_000, 'x')])), 1000, limits);
    expect(items).toEqual([
      expect.objectContaining({
        code: 'too_large',
        message: expect.stringContaining('expands past the 100000-byte limit: not read to its end'),
      }),
    ]);
  });

  it.each([
    ['a byte order mark and text', "'# notes'", Buffer.concat([BOM, Buffer.from('# notes\n')])],
    ['leading whitespace', "'hello'", Buffer.from(' \r\n\t hello\n{}\n')],
    ['a bare number', "'42'", Buffer.from('42\n')],
    ['a JSON string', `'"text"'`, Buffer.from('"text"\n')],
    ['a stray closer', "'}'", Buffer.from('}\n')],
    ['a cut byte order mark', "'\\xef\\xbb'", Buffer.from([0xef, 0xbb])],
    ['a cut byte order mark and text', "'\\xef\\xbb{}'", Buffer.from([0xef, 0xbb, 0x7b, 0x7d])],
    ['an escape sequence', "'\\u001b[31mred'", Buffer.from('\u001b[31mred\n')],
    [
      'whitespace past the head, then text',
      "'tail'",
      Buffer.concat([Buffer.alloc(NOT_JSON_HEAD_BYTES + 10, ' '), Buffer.from('tail\n')]),
    ],
  ])('is one rejection for %s, quoting %s', async (_what, quote, bytes) => {
    const items = await everyWay(bytes);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'reject', position: { value: 0, path: '', offset: 0 } });
    expect((items[0] as { message: string }).message).toContain(`starts with ${quote} `);
  });
});

describe('an input that opens with { or [ is framed as before', () => {
  it('after a byte order mark, in any chunks', async () => {
    const items = await everyWay(Buffer.concat([BOM, Buffer.from(`${RECORD}\n`)]));
    expect(items.map((item) => item.type)).toEqual(['record']);
  });

  it('after leading whitespace', async () => {
    const items = await everyWay(Buffer.from(`\n\n  ${RECORD}\n`));
    expect(items).toMatchObject([{ type: 'record', position: { offset: 4 } }]);
  });

  it('with one rejection per broken NDJSON line, first line included', async () => {
    const items = await everyWay(
      Buffer.from(`{"broken\n${RECORD}\nnot json\n${RECORD.replace('0001', '0002')}\n`),
    );
    expect(items.map((item) => (item.type === 'reject' ? item.code : item.type))).toEqual([
      'invalid_json',
      'record',
      'invalid_json',
      'record',
    ]);
  });

  it('and an input of whitespace alone, or nothing, gives nothing', async () => {
    expect(await everyWay(Buffer.from(' \n\t\r\n'))).toEqual([]);
    expect(await everyWay(BOM)).toEqual([]);
    expect(decodeBytes(Buffer.alloc(0))).toEqual([]);
  });
});
