import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isGzip } from '../../sources/payload.js';

async function isGzipFile(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await file.read(head, 0, 2, 0);
    return isGzip(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/**
 * The `length` bytes at `offset` of a file's content, decompressed first when it is gzip (a
 * quarantine position counts bytes of the decompressed input). Shorter when the file ends first.
 */
export async function readContentRange(path: string, offset: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const gzip = await isGzipFile(path);
  const file = createReadStream(path);
  const content: Readable = gzip ? file.pipe(createGunzip()) : file;
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let seen = 0;
  try {
    for await (const chunk of content as AsyncIterable<Buffer>) {
      const start = seen;
      seen += chunk.length;
      if (seen <= offset) continue;
      const from = Math.max(0, offset - start);
      const part = chunk.subarray(from, from + (length - keptBytes));
      kept.push(part);
      keptBytes += part.length;
      if (keptBytes >= length) break;
    }
  } finally {
    content.destroy();
    file.destroy();
  }
  return Buffer.concat(kept, keptBytes);
}
