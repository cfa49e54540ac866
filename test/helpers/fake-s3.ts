import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in for the S3 REST API on 127.0.0.1, path-style (`GET /BUCKET/KEY`), for an S3 client
 * built with `endpoint` + `forcePathStyle: true`. It answers GetObject from the objects put into
 * it, sends each body in chunks and waits for the socket to drain between them (so a reader that
 * stops reading holds the server back, as S3 would), can hold a body partway until `release()`,
 * and answers a missing key with S3's NoSuchKey error. Every request is recorded.
 */
export interface S3Request {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly headers: IncomingHttpHeaders;
}

export interface ServeOptions {
  /** Bytes per write (default 64 KiB). */
  readonly chunkBytes?: number;
  /** Stop after this many bytes until `release()` is called. */
  readonly holdAfterBytes?: number;
}

export interface FakeS3 {
  /** The endpoint for the client (`TOKENTRAIL_S3_ENDPOINT`). */
  readonly endpoint: string;
  readonly requests: readonly S3Request[];
  putObject(bucket: string, key: string, body: Uint8Array, options?: ServeOptions): void;
  /** Bytes of the object's body written to the socket so far (by the latest GET). */
  sentBytes(bucket: string, key: string): number;
  /** Resolves once a GET of the object has sent `holdAfterBytes` and is waiting. */
  held(bucket: string, key: string): Promise<void>;
  /** Lets every held body go on. */
  release(): void;
  close(): Promise<void>;
}

interface StoredObject {
  readonly body: Uint8Array;
  readonly options: ServeOptions;
}

const name = (bucket: string, key: string) => `${bucket}/${key}`;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

function xmlError(response: ServerResponse, status: number, code: string, message: string, key: string) {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><Key>${key}</Key>` +
    '<RequestId>FAKE0REQUEST0ID</RequestId><HostId>fake-s3-host-id</HostId></Error>';
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': 'FAKE0REQUEST0ID',
  });
  response.end(body);
}

function writeChunk(response: ServerResponse, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (response.write(chunk)) resolve();
    else response.once('drain', resolve);
  });
}

export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, StoredObject>();
  const sent = new Map<string, number>();
  const heldSignals = new Map<string, ReturnType<typeof deferred>>();
  const requests: S3Request[] = [];
  let released = deferred();

  const signalFor = (id: string) => {
    let signal = heldSignals.get(id);
    if (!signal) {
      signal = deferred();
      heldSignals.set(id, signal);
    }
    return signal;
  };

  async function serve(response: ServerResponse, id: string, object: StoredObject): Promise<void> {
    const { body, options } = object;
    const chunkBytes = options.chunkBytes ?? 64 * 1024;
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      etag: '"fake-etag"',
      'last-modified': new Date(0).toUTCString(),
      'x-amz-request-id': 'FAKE0REQUEST0ID',
    });
    sent.set(id, 0);
    let offset = 0;
    let holding = options.holdAfterBytes !== undefined;
    while (offset < body.length && !response.destroyed) {
      if (holding && offset >= (options.holdAfterBytes ?? 0)) {
        holding = false;
        signalFor(id).resolve();
        await released.promise;
        if (response.destroyed) return;
      }
      const end = Math.min(body.length, offset + chunkBytes);
      await writeChunk(response, body.subarray(offset, end));
      offset = end;
      sent.set(id, offset);
    }
    response.end();
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    requests.push({ method: request.method ?? '', bucket, key, headers: request.headers });
    request.resume();
    const object = objects.get(name(bucket, key));
    if (request.method !== 'GET') {
      xmlError(response, 405, 'MethodNotAllowed', 'Only GetObject is faked', key);
    } else if (!object) {
      xmlError(response, 404, 'NoSuchKey', 'The specified key does not exist.', key);
    } else {
      void serve(response, name(bucket, key), object);
    }
  });
  const local = await listenLocally(server);

  return {
    endpoint: local.url,
    requests,
    putObject(bucket, key, body, options = {}) {
      objects.set(name(bucket, key), { body, options });
    },
    sentBytes: (bucket, key) => sent.get(name(bucket, key)) ?? 0,
    held: (bucket, key) => signalFor(name(bucket, key)).promise,
    release() {
      released.resolve();
      released = deferred();
    },
    async close() {
      released.resolve();
      await local.close();
    },
  };
}
