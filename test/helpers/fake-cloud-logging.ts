import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in for Cloud Logging's REST `POST /v2/entries:list` on 127.0.0.1. It keeps LogEntries and
 * answers like the service for the part of the filter it understands, the trailing
 * `timestamp >= "…" AND timestamp <= "…"` bounds: entries in the window, `timestamp asc`, at most
 * `pageSize` (and at most `maxPageSize`, as the service may return fewer) a page, with a
 * nextPageToken valid only for the same filter. Every request is recorded for assertions.
 */
export interface RecordedEntriesList {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  readonly body: any;
}

export interface FakeLoggingReply {
  readonly status: number;
  /** Sent as JSON, or as is when a Buffer. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FakeCloudLogging {
  readonly url: string;
  readonly requests: RecordedEntriesList[];
  close(): Promise<void>;
}

export interface FakeCloudLoggingOptions {
  readonly maxPageSize?: number;
  /** Called per request (0-based); an answer here replaces the service's. */
  readonly script?: (request: RecordedEntriesList, index: number) => FakeLoggingReply | undefined;
}

export const GOOGLE_ERROR = (status: number, message: string, headers?: Record<string, string>) => ({
  status,
  body: { error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'ERROR' } },
  ...(headers ? { headers } : {}),
});

const BOUNDS = /timestamp >= "([^"]+)" AND timestamp <= "([^"]+)"$/;

/** Nanosecond RFC 3339 timestamps compare as numbers of nanoseconds (good enough for tests: Z only). */
function nanos(timestamp: string): bigint {
  const match = /^(.{19})(?:\.(\d{1,9}))?Z$/.exec(timestamp);
  if (!match) throw new Error(`fake logging: unsupported timestamp ${timestamp}`);
  return BigInt(Date.parse(`${match[1]}Z`)) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

export async function startFakeCloudLogging(
  entries: readonly Record<string, unknown>[],
  options: FakeCloudLoggingOptions = {},
): Promise<FakeCloudLogging> {
  const requests: RecordedEntriesList[] = [];
  const ascending = [...entries].sort((a, b) => {
    const difference = nanos(a.timestamp as string) - nanos(b.timestamp as string);
    return difference < 0n ? -1 : difference > 0n ? 1 : 0;
  });

  const answer = (body: Record<string, unknown>): FakeLoggingReply => {
    const filter = String(body.filter ?? '');
    const bounds = BOUNDS.exec(filter);
    if (!bounds) return GOOGLE_ERROR(400, 'fake logging: the filter has no timestamp bounds');
    const [from, to] = [nanos(bounds[1]!), nanos(bounds[2]!)];
    const matching = ascending.filter((entry) => {
      const time = nanos(entry.timestamp as string);
      return time >= from && time <= to;
    });
    let offset = 0;
    if (typeof body.pageToken === 'string') {
      const token = JSON.parse(Buffer.from(body.pageToken, 'base64url').toString('utf8')) as {
        offset: number;
        filter: string;
      };
      if (token.filter !== filter) return GOOGLE_ERROR(400, 'page token does not match the filter');
      offset = token.offset;
    }
    const size = Math.min(Number(body.pageSize ?? 50), options.maxPageSize ?? Number.POSITIVE_INFINITY);
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? offset + size : null;
    return {
      status: 200,
      body: {
        ...(page.length > 0 ? { entries: page } : {}),
        ...(next === null
          ? {}
          : { nextPageToken: Buffer.from(JSON.stringify({ offset: next, filter })).toString('base64url') }),
      },
    };
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const recorded: RecordedEntriesList = { path: request.url ?? '', headers: request.headers, body };
      requests.push(recorded);
      const reply =
        options.script?.(recorded, requests.length - 1) ??
        (request.method === 'POST' && request.url === '/v2/entries:list'
          ? answer(body)
          : GOOGLE_ERROR(404, `fake logging: no route ${request.method} ${request.url}`));
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body));
    });
  });
  const local = await listenLocally(server);
  return {
    url: local.url,
    requests,
    close: local.close,
  };
}
