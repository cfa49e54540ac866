import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { listenLocally } from '../helpers/local-server.js';

/**
 * A stand-in for the parts of the Cloud Logging REST API (v2 sinks) and the Pub/Sub IAM API that
 * `tokentrail sinks apply` uses, on 127.0.0.1. It keeps sinks and topic policies in memory, answers
 * the way the real APIs do (404 for an absent sink, 409 for a duplicate, a unique writer identity
 * when asked for one) and records every request. Projects named in `denied` get 403 for
 * everything, projects in `missing` 404.
 */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  readonly body: any;
}

export interface FakeSink {
  name: string;
  destination: string;
  filter: string;
  writerIdentity: string;
  disabled?: boolean;
}

interface Policy {
  etag: string;
  bindings: { role: string; members: string[] }[];
}

export interface FakeCloudLogging {
  readonly url: string;
  readonly requests: FakeRequest[];
  /** `project/sink` -> sink */
  readonly sinks: Map<string, FakeSink>;
  /** `projects/P/topics/T` -> policy */
  readonly policies: Map<string, Policy>;
  readonly denied: Set<string>;
  readonly missing: Set<string>;
  close(): Promise<void>;
}

const UNIQUE_WRITER = (project: string) =>
  `serviceAccount:service-${project.length}0042@gcp-sa-logging.iam.gserviceaccount.com`;

function errorBody(code: number, status: string, message: string) {
  return { error: { code, message, status } };
}

export async function startFakeCloudLogging(): Promise<FakeCloudLogging> {
  const requests: FakeRequest[] = [];
  const sinks = new Map<string, FakeSink>();
  const policies = new Map<string, Policy>();
  const denied = new Set<string>();
  const missing = new Set<string>();
  let etag = 0;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const method = request.method ?? 'GET';
      requests.push({
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body,
      });
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };

      const project = /^\/v[12]\/projects\/([^/:]+)/.exec(url.pathname)?.[1];
      if (project && denied.has(project)) {
        return reply(
          403,
          errorBody(403, 'PERMISSION_DENIED', `The caller does not have permission on project ${project}`),
        );
      }
      if (project && missing.has(project)) {
        return reply(404, errorBody(404, 'NOT_FOUND', `Project ${project} not found`));
      }

      const sinkPath = /^\/v2\/projects\/([^/]+)\/sinks(?:\/([^/]+))?$/.exec(url.pathname);
      if (sinkPath) {
        const [, sinkProject, name] = sinkPath as unknown as [string, string, string | undefined];
        const unique = url.searchParams.get('uniqueWriterIdentity') === 'true';
        const key = `${sinkProject}/${name ?? body?.name}`;
        const existing = sinks.get(key);
        if (method === 'GET' && name) {
          return existing
            ? reply(200, existing)
            : reply(404, errorBody(404, 'NOT_FOUND', `Sink ${name} does not exist`));
        }
        if (method === 'POST' && !name) {
          if (existing)
            return reply(409, errorBody(409, 'ALREADY_EXISTS', `Sink ${body.name} already exists`));
          const created: FakeSink = {
            name: body.name,
            destination: body.destination,
            filter: body.filter,
            writerIdentity: unique
              ? UNIQUE_WRITER(sinkProject)
              : 'serviceAccount:cloud-logs@system.gserviceaccount.com',
          };
          sinks.set(key, created);
          return reply(200, created);
        }
        if ((method === 'PUT' || method === 'PATCH') && name) {
          if (!existing) return reply(404, errorBody(404, 'NOT_FOUND', `Sink ${name} does not exist`));
          const updated: FakeSink = {
            ...existing,
            destination: body.destination,
            filter: body.filter,
            writerIdentity: unique ? UNIQUE_WRITER(sinkProject) : existing.writerIdentity,
          };
          sinks.set(key, updated);
          return reply(200, updated);
        }
      }

      const iamPath = /^\/v1\/(projects\/[^/]+\/topics\/[^/:]+):(getIamPolicy|setIamPolicy)$/.exec(
        url.pathname,
      );
      if (iamPath) {
        const [, topic, verb] = iamPath as unknown as [string, string, string];
        const current = policies.get(topic);
        if (!current) return reply(404, errorBody(404, 'NOT_FOUND', 'Resource not found'));
        if (verb === 'getIamPolicy' && method === 'GET') return reply(200, current);
        if (verb === 'setIamPolicy' && method === 'POST') {
          if (body.policy.etag !== current.etag) {
            return reply(409, errorBody(409, 'ABORTED', 'There were concurrent policy changes.'));
          }
          const next = { etag: `etag-${++etag}`, bindings: body.policy.bindings };
          policies.set(topic, next);
          return reply(200, next);
        }
      }
      reply(404, errorBody(404, 'NOT_FOUND', `no route for ${method} ${url.pathname}`));
    });
  });
  const local = await listenLocally(server);
  return {
    url: local.url,
    requests,
    sinks,
    policies,
    denied,
    missing,
    close: local.close,
  };
}

export interface ResettingServer {
  readonly url: string;
  /** How many connections were attempted: each is reset as soon as it is accepted. */
  connections(): number;
  close(): Promise<void>;
}

/** A port that accepts connections and resets each at once: Cloud Logging dropping the line. */
export async function startResettingServer(): Promise<ResettingServer> {
  let connections = 0;
  const server = createTcpServer((socket: Socket) => {
    connections++;
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
