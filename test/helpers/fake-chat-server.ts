import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in for a chat service's webhook endpoint on 127.0.0.1: it records every request and
 * answers from a script, one scripted reply per request in order, then the fallback for the rest.
 * Like Google Chat, a request whose `messageId` query parameter was already used answers 409
 * ALREADY_EXISTS and posts nothing. `landed` holds the requests that would have made a message:
 * a 2xx reply, answered or not (a hung reply still posted).
 */
export interface ChatRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ScriptedReply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering (a slow service). */
  readonly delayMs?: number;
  /** Send a body of this many bytes instead of `body`, as fast as the client reads it. */
  readonly bodyBytes?: number;
  /** Drop the connection without an answer once the request was read (the status still says whether it posted). */
  readonly hangUp?: boolean;
}

export interface FakeChatServer {
  readonly requests: readonly ChatRequest[];
  readonly landed: readonly ChatRequest[];
  /** Body bytes the server managed to hand to the client's connection, all replies together. */
  readonly bodyBytesWritten: () => number;
  /** The server's URL for a path (which may carry a query). */
  url(pathAndQuery: string): string;
  /** Queue replies for the next requests. */
  reply(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

export async function startFakeChatServer(
  fallback: ScriptedReply = { status: 200, body: 'ok' },
): Promise<FakeChatServer> {
  const requests: ChatRequest[] = [];
  const landed: ChatRequest[] = [];
  const messageIds = new Set<string>();
  let bodyBytesWritten = 0;
  const script: ScriptedReply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const received: ChatRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const messageId = url.searchParams.get('messageId');
      const repeated = messageId !== null && messageIds.has(messageId);
      const reply: ScriptedReply = repeated
        ? {
            status: 409,
            body: JSON.stringify({ error: { code: 409, status: 'ALREADY_EXISTS', message: 'exists' } }),
          }
        : (script.shift() ?? fallback);
      if (!repeated && reply.status >= 200 && reply.status < 300) {
        landed.push(received);
        if (messageId !== null) messageIds.add(messageId);
      }
      const answer = () => {
        if (reply.hangUp) return void request.socket.destroy();
        if (response.destroyed) return;
        response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        if (reply.bodyBytes === undefined) return response.end(reply.body ?? '');
        streamBody(response, reply.bodyBytes, (bytes) => {
          bodyBytesWritten += bytes;
        });
      };
      if (!reply.delayMs) return answer();
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, reply.delayMs);
      timers.add(timer);
    });
  });
  const local = await listenLocally(server);
  return {
    requests,
    landed,
    bodyBytesWritten: () => bodyBytesWritten,
    url: (pathAndQuery) => `${local.url}${pathAndQuery}`,
    reply: (...replies) => {
      script.push(...replies);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await local.close();
    },
  };
}

/** Writes `total` bytes in 64 KiB chunks, waiting for the client to drain each; stops when it hangs up. */
function streamBody(response: ServerResponse, total: number, wrote: (bytes: number) => void): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = total;
  const pump = () => {
    while (left > 0 && !response.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      const more = response.write(piece);
      wrote(piece.length);
      if (!more) return void response.once('drain', pump);
    }
    if (left === 0) response.end();
  };
  response.on('error', () => undefined);
  pump();
}
