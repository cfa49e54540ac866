import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type FakeAwsSession, verifySigV4 } from './fake-google-sts.js';
import { listenLocally } from './local-server.js';

/**
 * A stand-in for the S3 REST API on 127.0.0.1, path-style (`GET /BUCKET/KEY`), for a reader
 * pointed at it with `TOKENTRAIL_S3_ENDPOINT`. It answers GetObject from the objects put into
 * it, sends each body in chunks and waits for the socket to drain between them (so a reader that
 * stops reading holds the server back, as S3 would), can hold a body partway until `release()`,
 * and answers as S3 does: NoSuchKey for a missing key, SignatureDoesNotMatch for a request that
 * does not verify (when given sessions), 301 with `x-amz-bucket-region` for a request signed for
 * the wrong region, SlowDown when told to. Every request is recorded.
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
  /** The bucket's region: a request signed for another gets S3's 301 naming it in a header. */
  readonly region?: string;
  /** Name the region as AuthorizationHeaderMalformed does instead: a 400 with `<Region>` in the XML. */
  readonly regionIn?: 'header' | 'error-body';
  /** Answer this many GETs with 503 SlowDown before serving the object. */
  readonly slowDowns?: number;
}

export interface FakeS3Options {
  /** When given, every request must carry a valid SigV4 signature of one of these sessions. */
  readonly sessions?: readonly FakeAwsSession[];
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
  /** From now on, accept signatures of these sessions only. */
  trustSessions(sessions: readonly FakeAwsSession[]): void;
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

function xmlError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  key: string,
  headers: Record<string, string> = {},
  moreXml = '',
) {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><Key>${key}</Key>${moreXml}` +
    '<RequestId>FAKE0REQUEST0ID</RequestId><HostId>fake-s3-host-id</HostId></Error>';
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': 'FAKE0REQUEST0ID',
    ...headers,
  });
  response.end(body);
}

function writeChunk(response: ServerResponse, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (response.write(chunk)) resolve();
    else response.once('drain', resolve);
  });
}

/** The region of a SigV4 Authorization header's credential scope. */
export function signedRegion(authorization: string | undefined): string | null {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1] ?? null;
}

function signatureProblem(request: IncomingMessage, sessions: readonly FakeAwsSession[]): string | null {
  const headers = Object.entries(request.headers).map(([key, value]) => ({
    key,
    value: Array.isArray(value) ? value.join(',') : (value ?? ''),
  }));
  const url = `http://${request.headers.host ?? ''}${request.url ?? '/'}`;
  const verdict = verifySigV4({ url, method: request.method ?? 'GET', headers }, sessions, new Date());
  return 'problem' in verdict ? verdict.problem : null;
}

export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3> {
  let sessions = options.sessions;
  const objects = new Map<string, StoredObject>();
  const sent = new Map<string, number>();
  const heldSignals = new Map<string, ReturnType<typeof deferred>>();
  const requests: S3Request[] = [];
  const slowDowns = new Map<string, number>();
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
    const problem = sessions ? signatureProblem(request, sessions) : null;
    const region = object?.options.region;
    if (problem !== null) {
      xmlError(response, 403, 'SignatureDoesNotMatch', problem, key);
    } else if (region !== undefined && signedRegion(request.headers.authorization) !== region) {
      if (object?.options.regionIn === 'error-body') {
        const message = `the region '${signedRegion(request.headers.authorization)}' is wrong; expecting '${region}'`;
        xmlError(
          response,
          400,
          'AuthorizationHeaderMalformed',
          message,
          key,
          {},
          `<Region>${region}</Region>`,
        );
      } else {
        xmlError(response, 301, 'PermanentRedirect', 'The bucket is in another region.', key, {
          'x-amz-bucket-region': region,
        });
      }
    } else if (object && (slowDowns.get(name(bucket, key)) ?? 0) > 0) {
      slowDowns.set(name(bucket, key), (slowDowns.get(name(bucket, key)) ?? 0) - 1);
      xmlError(response, 503, 'SlowDown', 'Please reduce your request rate.', key);
    } else if (request.method !== 'GET') {
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
      slowDowns.set(name(bucket, key), options.slowDowns ?? 0);
    },
    sentBytes: (bucket, key) => sent.get(name(bucket, key)) ?? 0,
    held: (bucket, key) => signalFor(name(bucket, key)).promise,
    release() {
      released.resolve();
      released = deferred();
    },
    trustSessions(trusted) {
      sessions = trusted;
    },
    async close() {
      released.resolve();
      await local.close();
    },
  };
}
