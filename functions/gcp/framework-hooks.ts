/**
 * Where the functions framework (5.0.5) answers before any code of ours runs, and how we take those
 * answers over. It parses every body before calling the function and hands a parse failure to
 * Express's default error handler, which replies 400 with an HTML stack trace; an empty or text body
 * crashes its CloudEvent conversion with a 500. It offers no hook for either (see
 * GoogleCloudPlatform/functions-framework-nodejs issue #686), and Pub/Sub redelivers every non-2xx
 * reply until the dead-letter topic. The one place to step in is the `http.createServer(app)` call
 * it makes with its finished Express app, after it has loaded this module: there an error handler
 * goes behind its routes, and a bodiless POST is answered before Express reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import type { UnreadableBody } from './unreadable-body.js';

/** An HTTP reply: a status, and a JSON body unless there is nothing to say. */
export interface Reply {
  readonly status: number;
  readonly json?: unknown;
}

type Next = (error?: unknown) => void;
type ErrorHandler = (error: unknown, request: IncomingMessage, response: ServerResponse, next: Next) => void;

interface ExpressApp {
  (request: IncomingMessage, response: ServerResponse): void;
  use(handler: ErrorHandler): unknown;
}

const responses = new AsyncLocalStorage<ServerResponse>();

function send(response: ServerResponse, reply: Reply): void {
  if (reply.json === undefined) {
    response.writeHead(reply.status).end();
    return;
  }
  const body = JSON.stringify(reply.json);
  response
    .writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/**
 * Answers the request being served, unless an answer has already gone out. For a CloudEvent
 * function, whose failures the framework would otherwise answer with the error's message.
 */
export function replyToCurrentRequest(reply: Reply): void {
  const response = responses.getStore();
  if (response !== undefined && !response.headersSent) send(response, reply);
}

/** The entry point the framework serves: `--target` as it reads its arguments, else FUNCTION_TARGET. */
export function servedTarget(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string {
  const { values } = parseArgs({
    args: argv.slice(2),
    options: { target: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  return typeof values.target === 'string' ? values.target : (env.FUNCTION_TARGET ?? 'function');
}

function hasNoBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0);
}

/** What the framework's body parsers read (they keep it as `rawBody`), or what is left unread. */
async function bytesOf(request: IncomingMessage): Promise<Uint8Array> {
  const saved = (request as { rawBody?: unknown }).rawBody;
  if (saved instanceof Uint8Array) return saved;
  if (request.readableEnded || request.destroyed) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function isAborted(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'request.aborted';
}

function isExpressApp(value: unknown): value is ExpressApp {
  return typeof value === 'function' && typeof (value as { use?: unknown }).use === 'function';
}

/**
 * Makes `accept` the answer to every POST without a body and to every error raised before the
 * function ran (the framework reports the function's own failures itself, never through Express).
 * Call it once, while the module that registers the functions loads.
 */
export function interceptUnreadableBodies(accept: (body: UnreadableBody) => Promise<Reply>): void {
  const original = http.createServer;
  const answer = (response: ServerResponse, next: Next, body: UnreadableBody) =>
    accept(body).then((reply) => send(response, reply), next);

  const onError: ErrorHandler = (error, request, response, next) => {
    // A client that went away reads no answer; anything already answered is the framework's.
    if (response.headersSent || isAborted(error)) {
      next(error);
      return;
    }
    const failure = error instanceof Error ? error.message : String(error);
    bytesOf(request).then(
      (bytes) => answer(response, next, { headers: request.headers, bytes, failure }),
      next,
    );
  };

  const patched = (...args: unknown[]) => {
    const app = args.length === 1 ? args[0] : undefined;
    if (!isExpressApp(app)) return Reflect.apply(original, http, args) as http.Server;
    http.createServer = original;
    app.use(onError);
    const listener: RequestListener = (request, response) =>
      responses.run(response, () => {
        if (request.method === 'POST' && hasNoBody(request)) {
          void answer(response, () => response.writeHead(500).end(), {
            headers: request.headers,
            bytes: new Uint8Array(0),
            failure: null,
          });
          return;
        }
        app(request, response);
      });
    return original(listener);
  };
  http.createServer = patched as typeof http.createServer;
}
