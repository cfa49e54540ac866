import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in on 127.0.0.1 for the three Google REST calls `tokentrail doctor` makes, all under one
 * root (TOKENTRAIL_GCP_ENDPOINT):
 * - `POST /v1/projects/P:getIamPolicy` (Cloud Resource Manager v1)
 * - `GET /v2/projects/P/sinks/S` (Cloud Logging v2)
 * - `GET /v1/projects/P/topics/T:getIamPolicy` (Pub/Sub v1)
 * Unknown resources answer 404; errors are `{error: {code, message, status}}` as Google sends them.
 */
export interface FakeGcpError {
  readonly gcpError: { readonly code: number; readonly status: string; readonly message: string };
}

export function gcpError(code: number, status: string, message: string): FakeGcpError {
  return { gcpError: { code, status, message } };
}

export interface FakeGcpState {
  /** project -> getIamPolicy answer (or an error). */
  projectPolicies?: Readonly<Record<string, unknown>>;
  /** `project/sink` -> LogSink (or an error). */
  sinks?: Readonly<Record<string, unknown>>;
  /** `project/topic` -> getIamPolicy answer (or an error). */
  topicPolicies?: Readonly<Record<string, unknown>>;
}

export interface GcpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  readonly body: any;
}

export interface FakeGcpServer {
  readonly url: string;
  readonly requests: readonly GcpRequest[];
  state: FakeGcpState;
  close(): Promise<void>;
}

type Answer = { readonly status: number; readonly body: unknown };

function isError(value: unknown): value is FakeGcpError {
  return typeof value === 'object' && value !== null && 'gcpError' in value;
}

function reply(value: unknown, what: string): Answer {
  if (value === undefined) return reply(gcpError(404, 'NOT_FOUND', `${what} not found`), what);
  if (isError(value)) return { status: value.gcpError.code, body: { error: value.gcpError } };
  return { status: 200, body: value };
}

function answer(state: FakeGcpState, method: string, path: string): Answer {
  const project = /^\/v1\/projects\/([^/:]+):getIamPolicy$/.exec(path);
  if (method === 'POST' && project) {
    const id = decodeURIComponent(project[1]!);
    return reply(state.projectPolicies?.[id], `project ${id}`);
  }
  const sink = /^\/v2\/projects\/([^/]+)\/sinks\/([^/]+)$/.exec(path);
  if (method === 'GET' && sink) {
    const key = `${decodeURIComponent(sink[1]!)}/${decodeURIComponent(sink[2]!)}`;
    return reply(state.sinks?.[key], `sink ${key}`);
  }
  const topic = /^\/v1\/projects\/([^/]+)\/topics\/([^/:]+):getIamPolicy$/.exec(path);
  if (method === 'GET' && topic) {
    const key = `${decodeURIComponent(topic[1]!)}/${decodeURIComponent(topic[2]!)}`;
    return reply(state.topicPolicies?.[key], `topic ${key}`);
  }
  return reply(gcpError(404, 'NOT_FOUND', `no fake for ${method} ${path}`), path);
}

export async function startFakeGcpConfig(initial: FakeGcpState): Promise<FakeGcpServer> {
  const requests: GcpRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const method = incoming.method ?? '';
      const path = incoming.url ?? '';
      requests.push({ method, path, headers: incoming.headers, body: text ? JSON.parse(text) : null });
      const { status, body } = answer(fake.state, method, path);
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(JSON.stringify(body));
    });
  });
  const local = await listenLocally(server);
  const fake: FakeGcpServer = {
    url: local.url,
    requests,
    state: initial,
    close: local.close,
  };
  return fake;
}
