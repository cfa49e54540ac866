import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readContentRange } from './read-range.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-range-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// Several read chunks (64 KiB each), so ranges cross chunk boundaries.
const content = Buffer.from(Array.from({ length: 300_000 }, (_, index) => (index * 7919) % 251));

describe('readContentRange', () => {
  it('gives the bytes at offset/length of a plain or gzip file, fewer where the content ends', async () => {
    const plain = join(directory, 'plain.json');
    const gzip = join(directory, 'packed.json.gz');
    writeFileSync(plain, content);
    writeFileSync(gzip, gzipSync(content));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: content.length + 10 }),
        fc.integer({ min: 0, max: 140_000 }),
        async (offset, length) => {
          const expected = content.subarray(offset, offset + length);
          expect((await readContentRange(plain, offset, length)).equals(expected)).toBe(true);
          expect((await readContentRange(gzip, offset, length)).equals(expected)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });
});
