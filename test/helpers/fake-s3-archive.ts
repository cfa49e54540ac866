import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in for S3 on 127.0.0.1, path-style, for the two calls a CloudTrail archive reader makes:
 * ListObjectsV2 (`GET /BUCKET?list-type=2&prefix=…[&start-after=…][&continuation-token=…]`, XML,
 * keys in UTF-8 binary order, `pageSize` keys a page) and GetObject (`GET /BUCKET/KEY`, the body
 * written in `chunkSize` pieces with a pause between, so a reader that buffers whole files would show).
 */
export interface RecordedS3Request {
  readonly operation: 'ListObjectsV2' | 'GetObject' | 'other';
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly key?: string;
  readonly headers: IncomingHttpHeaders;
}

export interface FakeS3Reply {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export interface FakeS3Archive {
  readonly url: string;
  readonly requests: RecordedS3Request[];
  /** Chunks written per GetObject, by key. */
  readonly chunksSent: Map<string, number>;
  close(): Promise<void>;
}

export interface FakeS3Options {
  readonly bucket: string;
  readonly pageSize?: number;
  readonly chunkSize?: number;
  /** Called per request (0-based); an error answer here replaces the object store's. */
  readonly script?: (request: RecordedS3Request, index: number) => FakeS3Reply | undefined;
  /** Holds the rest of this object's body after its first chunk until `until` resolves. */
  readonly stall?: { readonly key: string; readonly until: Promise<void> };
}

function xml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

function errorXml(reply: FakeS3Reply): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${reply.code}</Code><Message>${xml(reply.message)}</Message><RequestId>fake</RequestId></Error>`;
}

export async function startFakeS3Archive(
  objects: ReadonlyMap<string, Buffer>,
  options: FakeS3Options,
): Promise<FakeS3Archive> {
  const requests: RecordedS3Request[] = [];
  const chunksSent = new Map<string, number>();
  const keys = [...objects.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const pageSize = options.pageSize ?? 1000;
  const chunkSize = options.chunkSize ?? 64 * 1024;

  const list = (query: Readonly<Record<string, string>>): string => {
    const prefix = query.prefix ?? '';
    const after = query['continuation-token']
      ? Buffer.from(query['continuation-token'], 'base64url').toString('utf8')
      : query['start-after'];
    const matching = keys.filter(
      (key) =>
        key.startsWith(prefix) &&
        (after === undefined || Buffer.compare(Buffer.from(key), Buffer.from(after)) > 0),
    );
    const page = matching.slice(0, pageSize);
    const truncated = matching.length > page.length;
    const token = truncated ? Buffer.from(page[page.length - 1]!).toString('base64url') : '';
    const contents = page
      .map(
        (key) =>
          `<Contents><Key>${xml(key)}</Key><LastModified>2025-11-20T10:05:00.000Z</LastModified><ETag>"fake"</ETag><Size>${objects.get(key)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join('');
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${options.bucket}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
      `<MaxKeys>1000</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (truncated ? `<NextContinuationToken>${token}</NextContinuationToken>` : '') +
      `${contents}</ListBucketResult>`
    );
  };

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = rest.length > 0 ? decodeURIComponent(rest.join('/')) : '';
    const operation =
      bucket === options.bucket && key === '' && query['list-type'] === '2'
        ? 'ListObjectsV2'
        : bucket === options.bucket && key !== '' && request.method === 'GET'
          ? 'GetObject'
          : 'other';
    const recorded: RecordedS3Request = {
      operation,
      path: url.pathname,
      query,
      ...(key ? { key } : {}),
      headers: request.headers,
    };
    requests.push(recorded);
    const scripted = options.script?.(recorded, requests.length - 1);
    const fail = (reply: FakeS3Reply) => {
      response.writeHead(reply.status, { 'content-type': 'application/xml' });
      response.end(errorXml(reply));
    };
    if (scripted) return fail(scripted);
    if (bucket !== options.bucket) return fail({ status: 404, code: 'NoSuchBucket', message: 'no bucket' });
    if (operation === 'ListObjectsV2') {
      response.writeHead(200, { 'content-type': 'application/xml' });
      return response.end(list(query));
    }
    const body = operation === 'GetObject' ? objects.get(key) : undefined;
    if (!body) return fail({ status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' });
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
    });
    let offset = 0;
    const writeNext = () => {
      if (offset >= body.length) return void response.end();
      response.write(body.subarray(offset, offset + chunkSize));
      chunksSent.set(key, (chunksSent.get(key) ?? 0) + 1);
      offset += chunkSize;
      if (offset === chunkSize && options.stall?.key === key) void options.stall.until.then(writeNext);
      else setImmediate(writeNext);
    };
    writeNext();
  });
  const local = await listenLocally(server);
  return {
    url: local.url,
    requests,
    chunksSent,
    close: local.close,
  };
}
