import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { type Frame, JsonFramer } from './json-framer.js';

const LIMIT = 1 << 20;

function frame(bytes: Buffer, cuts: number[] = [], maxValueBytes = LIMIT): Frame[] {
  const framer = new JsonFramer({ maxValueBytes });
  const frames: Frame[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= start || cut >= bytes.length) continue;
    frames.push(...framer.push(bytes.subarray(start, cut)));
    start = cut;
  }
  frames.push(...framer.push(bytes.subarray(start)));
  frames.push(...framer.end());
  return frames;
}

const texts = (frames: Frame[]) => frames.map((f) => (f.type === 'value' ? JSON.parse(f.text) : f));
// Round-trip through JSON so values JSON cannot carry (-0) compare as JSON would give them back.
const objects = fc
  .array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), { maxLength: 6 })
  .map((values) => JSON.parse(JSON.stringify(values)) as typeof values);
const cuts = fc.array(fc.nat(4000), { maxLength: 8 });

describe('JsonFramer', () => {
  it('splits NDJSON, pretty-printed and back-to-back objects into the same values', () => {
    fc.assert(
      fc.property(
        objects,
        fc.constantFrom('\n', '', ' \r\n\t'),
        fc.boolean(),
        cuts,
        (values, separator, pretty, at) => {
          const text = values.map((v) => JSON.stringify(v, null, pretty ? 2 : 0)).join(separator);
          expect(texts(frame(Buffer.from(text), at))).toEqual(values);
        },
      ),
    );
  });

  it('splits a top-level array and a CloudTrail Records file into their elements', () => {
    fc.assert(
      fc.property(objects, cuts, (values, at) => {
        expect(texts(frame(Buffer.from(JSON.stringify(values)), at))).toEqual(values);
        const file = Buffer.from(JSON.stringify({ Records: values }, null, 1));
        const frames = frame(file, at);
        expect(texts(frames)).toEqual(values);
        expect(frames.map((f) => f.path)).toEqual(values.map((_, i) => `/Records/${i}`));
      }),
    );
  });

  it('gives the same frames however the bytes are chunked, and never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), cuts, (bytes, at) => {
        const whole = frame(Buffer.from(bytes));
        expect(
          frame(
            Buffer.from(bytes),
            at.map((c) => c % 300),
          ),
        ).toEqual(whole);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '\n', 'a', '1', ' '), {
          maxLength: 80,
        }),
        cuts,
        (chars, at) => {
          const bytes = Buffer.from(chars.join(''));
          expect(
            frame(
              bytes,
              at.map((c) => c % 80),
            ),
          ).toEqual(frame(bytes));
        },
      ),
    );
  });

  it('reports offsets, value indexes and paths that locate each record', () => {
    const input = Buffer.from('{"a":1}\n{"Records":[{"b":2},\n {"c":3}]}\n[{"d":4}]');
    expect(frame(input).map(({ type, value, path, offset }) => ({ type, value, path, offset }))).toEqual([
      { type: 'value', value: 0, path: '', offset: 0 },
      { type: 'value', value: 1, path: '/Records/0', offset: 20 },
      { type: 'value', value: 1, path: '/Records/1', offset: 30 },
      { type: 'value', value: 2, path: '/0', offset: 41 },
    ]);
  });

  it('resynchronises NDJSON at the next line after an unterminated string', () => {
    const frames = frame(Buffer.from('{"a":"oops\n{"b":2}\n'));
    expect(frames[0]).toMatchObject({ type: 'malformed', code: 'invalid_json' });
    expect(frames[1]).toMatchObject({ type: 'value', text: '{"b":2}' });
  });

  it('keeps a broken line as one value for JSON.parse to reject, and the rest intact', () => {
    const frames = frame(Buffer.from('not json at all\n{"ok":true}\n'));
    expect(frames.map((f) => f.type === 'value' && f.text)).toEqual(['not json at all', '{"ok":true}']);
  });

  it('marks values cut off by the end of input as truncated', () => {
    expect(frame(Buffer.from('{"Records":[{"a":1},{"b":'))).toEqual([
      expect.objectContaining({ type: 'value', text: '{"a":1}' }),
      expect.objectContaining({ type: 'malformed', code: 'truncated', path: '/Records/1' }),
    ]);
    expect(frame(Buffer.from('{"Records":[{"a":1}'))).toEqual([
      expect.objectContaining({ type: 'value' }),
      expect.objectContaining({ type: 'malformed', code: 'truncated' }),
    ]);
  });

  it('drops the body of an oversized value but keeps its head, its length and hash, and the values after it', () => {
    const big = JSON.stringify({ blob: 'x'.repeat(1_500) });
    const frames = frame(Buffer.from(`${big}\n{"small":1}`), [100, 700], 1000);
    expect(frames[0]).toMatchObject({
      type: 'malformed',
      code: 'too_large',
      text: big.slice(0, 1000),
      whole: { bytes: big.length, sha256: createHash('sha256').update(big).digest('hex') },
    });
    expect(frames[1]).toMatchObject({ type: 'value', text: '{"small":1}' });
  });

  it('handles escaped quotes and backslashes split across chunks', () => {
    const value = { s: 'a\\"b\\\\', t: '\\', u: '"}' };
    const bytes = Buffer.from(JSON.stringify(value));
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(texts(frame(bytes, [cut]))).toEqual([value]);
    }
  });

  it('skips a UTF-8 byte order mark', () => {
    expect(texts(frame(Buffer.from('\ufeff{"a":1}')))).toEqual([{ a: 1 }]);
  });
});
