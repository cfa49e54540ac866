import type { IncomingMessage } from 'node:http';

/**
 * One HTTP(S) request over node:http, for the handlers' hot paths. Not `fetch`: Node loads its
 * fetch (undici) on first use, which costs about 40 ms of a cold start against 10 ms for node:http
 * (measured on Node 20 against a local server).
 */
export interface NodeRequest {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A socket idle this long fails the request with ETIMEDOUT. */
  readonly timeoutMs: number;
}

export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'ETIMEDOUT';
}

/** The response as soon as its headers arrive; the body is the caller's to read or destroy. */
export async function sendRequest(url: URL, request: NodeRequest): Promise<IncomingMessage> {
  const { request: send } = url.protocol === 'http:' ? await import('node:http') : await import('node:https');
  return new Promise((resolve, reject) => {
    const outgoing = send(url, {
      method: request.method,
      headers: request.headers,
      timeout: request.timeoutMs,
    });
    outgoing.on('response', (response) => {
      response.setTimeout(request.timeoutMs, () =>
        response.destroy(new RequestTimeoutError(`no data for ${request.timeoutMs} ms`)),
      );
      resolve(response);
    });
    outgoing.on('timeout', () =>
      outgoing.destroy(new RequestTimeoutError(`no answer within ${request.timeoutMs} ms`)),
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** A response body as text, up to `limit` bytes (the rest is dropped with the connection). */
export async function readText(response: IncomingMessage, limit = Number.POSITIVE_INFINITY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) {
      response.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
