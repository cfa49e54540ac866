import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in for a chat service's webhook endpoint on 127.0.0.1: it records every request and
 * answers from a script, one scripted reply per request in order, then the fallback for the rest.
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
}

export interface FakeChatServer {
  readonly requests: readonly ChatRequest[];
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
  const script: ScriptedReply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = script.shift() ?? fallback;
      const answer = () => {
        if (response.destroyed) return;
        response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        response.end(reply.body ?? '');
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
