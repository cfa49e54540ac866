import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { s3Objects } from '../../shared/adapters/s3/s3-objects.js';
import { type LocalServer, listenLocally } from '../helpers/local-server.js';

const REF = { bucket: 'trail', key: 'AWSLogs/1/CloudTrail/us-east-1/file.json.gz' };
const STORED = gzipSync(Buffer.from('{"Records":[]}'));

let server: LocalServer | undefined;
let urls: string[];

async function s3Stand(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  urls = [];
  server = await listenLocally(
    createServer((request, response) => {
      urls.push(request.url ?? '');
      request.resume();
      answer(request, response);
    }),
  );
  return server.url;
}

const ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
};

async function read(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('s3Objects', () => {
  it('streams the stored bytes as they are, a gzip Content-Encoding not inflated (the decoder checks the ratio)', async () => {
    const endpoint = await s3Stand((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      response.end(STORED);
    });
    const body = await s3Objects(ENV, { endpoint }).open(REF);
    expect(await read(body)).toEqual(STORED);
    expect(urls).toEqual([`/${REF.bucket}/${REF.key}`]);
  });

  it('tries a 503 SlowDown three times with short waits, then names the answer', async () => {
    const endpoint = await s3Stand((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/xml' });
      response.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
    });
    const sleeps: number[] = [];
    const objects = s3Objects(ENV, {
      endpoint,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0,
    });
    await expect(objects.open(REF)).rejects.toThrow(
      `s3://${REF.bucket}/${REF.key}: GetObject answered 503 SlowDown: Please reduce your request rate. (after 3 tries)`,
    );
    expect(urls).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('fails a 404 at once', async () => {
    const endpoint = await s3Stand((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/xml' });
      response.end(
        '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
      );
    });
    await expect(s3Objects(ENV, { endpoint }).open(REF)).rejects.toThrow(
      /GetObject answered 404 NoSuchKey: The specified key does not exist\.$/,
    );
    expect(urls).toHaveLength(1);
  });
});
