import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type FakeGcpError, gcpError } from './fake-gcp-config.js';
import { listenLocally } from './local-server.js';

export { gcpError } from './fake-gcp-config.js';

/**
 * A stand-in on 127.0.0.1 for the Google reads `tokentrail trust scan` makes, all under one root
 * as with TOKENTRAIL_GCP_ENDPOINT (each API keeps its path):
 * - IAM v1: `GET /v1/projects/P/locations/global/workloadIdentityPools`, `GET …/POOL/providers`,
 *   `GET /v1/projects/P/serviceAccounts`, `POST /v1/projects/P/serviceAccounts/EMAIL:getIamPolicy`
 * - Resource Manager v3: `GET /v3/projects/P`, `POST /v3/projects/P:getIamPolicy`
 * - Cloud Storage JSON v1: `GET /storage/v1/b?project=P`, `GET /storage/v1/b/B/iam`
 * Lists page by `pageToken` / `nextPageToken`, `pageSize` items a page; unknown resources answer
 * 404; errors are `{error: {code, message, status}}` as Google sends them. Every request is recorded.
 */
export interface FakeGcpPool {
  /** The pool as the API returns it: name (`projects/NUMBER/…`), state, disabled, … */
  readonly pool: Readonly<Record<string, unknown>>;
  /** Providers as the API returns them, or an error for the providers list. */
  readonly providers: readonly Readonly<Record<string, unknown>>[] | FakeGcpError;
}

export interface FakeGcpProject {
  /** The project number Resource Manager's projects.get answers with. */
  readonly number: string;
  readonly pools?: readonly FakeGcpPool[] | FakeGcpError;
  /** email -> the account's getIamPolicy answer (or an error); the list holds them in this order. */
  readonly serviceAccounts?: Readonly<Record<string, unknown>> | FakeGcpError;
  /** The project's getIamPolicy answer (or an error). */
  readonly policy?: unknown;
  /** bucket name -> its IAM policy (or an error). */
  readonly buckets?: Readonly<Record<string, unknown>> | FakeGcpError;
  /** Answered to projects.get instead of the number. */
  readonly getError?: FakeGcpError;
}

export interface FakeGcpIamState {
  projects: Readonly<Record<string, FakeGcpProject>>;
  /** Items per list page; default all on one page. */
  pageSize?: number;
}

export interface GcpIamRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The body as sent ('' when none). */
  readonly body: string;
}

export interface FakeGcpIamServer {
  readonly url: string;
  readonly requests: readonly GcpIamRequest[];
  state: FakeGcpIamState;
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

function page(
  state: FakeGcpIamState,
  items: readonly unknown[],
  key: string,
  token: string | undefined,
): Answer {
  const size = state.pageSize ?? Math.max(items.length, 1);
  const start = token === undefined ? 0 : Number(token.replace(/^page-/, ''));
  const next = start + size < items.length ? `page-${start + size}` : undefined;
  return {
    status: 200,
    body: { [key]: items.slice(start, start + size), ...(next === undefined ? {} : { nextPageToken: next }) },
  };
}

function list(
  state: FakeGcpIamState,
  value: readonly unknown[] | FakeGcpError | undefined,
  key: string,
  token: string | undefined,
  what: string,
): Answer {
  if (value === undefined || isError(value)) return reply(value, what);
  return page(state, value, key, token);
}

function keyed(
  value: Readonly<Record<string, unknown>> | FakeGcpError | undefined,
): readonly string[] | FakeGcpError | undefined {
  return value === undefined || isError(value) ? value : Object.keys(value);
}

function answer(state: FakeGcpIamState, method: string, path: string, query: Record<string, string>): Answer {
  const token = query.pageToken;
  const projectOf = (id: string) => state.projects[decodeURIComponent(id)];
  let match = /^\/v1\/projects\/([^/]+)\/locations\/global\/workloadIdentityPools$/.exec(path);
  if (method === 'GET' && match) {
    const pools = projectOf(match[1]!)?.pools;
    const items = pools === undefined || isError(pools) ? pools : pools.map((pool) => pool.pool);
    return list(state, items, 'workloadIdentityPools', token, `project ${match[1]}`);
  }
  match = /^\/v1\/projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers$/.exec(
    path,
  );
  if (method === 'GET' && match) {
    const id = decodeURIComponent(match[2]!);
    const pools = projectOf(match[1]!)?.pools;
    const pool =
      pools === undefined || isError(pools)
        ? undefined
        : pools.find((p) => String(p.pool.name).endsWith(`/${id}`));
    return list(state, pool?.providers, 'workloadIdentityPoolProviders', token, `pool ${id}`);
  }
  match = /^\/v1\/projects\/([^/]+)\/serviceAccounts$/.exec(path);
  if (method === 'GET' && match) {
    const project = decodeURIComponent(match[1]!);
    const emails = keyed(projectOf(match[1]!)?.serviceAccounts);
    const accounts =
      emails === undefined || isError(emails)
        ? emails
        : emails.map((email) => ({
            name: `projects/${project}/serviceAccounts/${email}`,
            email,
            projectId: project,
          }));
    return list(state, accounts, 'accounts', token, `project ${project}`);
  }
  match = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):getIamPolicy$/.exec(path);
  if (method === 'POST' && match) {
    const accounts = projectOf(match[1]!)?.serviceAccounts;
    const email = decodeURIComponent(match[2]!);
    return reply(
      accounts === undefined || isError(accounts) ? undefined : accounts[email],
      `account ${email}`,
    );
  }
  match = /^\/v3\/projects\/([^/:]+)$/.exec(path);
  if (method === 'GET' && match) {
    const project = projectOf(match[1]!);
    if (project?.getError) return reply(project.getError, '');
    return reply(
      project === undefined
        ? undefined
        : { name: `projects/${project.number}`, projectId: decodeURIComponent(match[1]!) },
      `project ${match[1]}`,
    );
  }
  match = /^\/v3\/projects\/([^/:]+):getIamPolicy$/.exec(path);
  if (method === 'POST' && match) return reply(projectOf(match[1]!)?.policy, `project ${match[1]}`);
  if (method === 'GET' && path === '/storage/v1/b') {
    const project = query.project ?? '';
    const names = keyed(state.projects[project]?.buckets);
    const buckets =
      names === undefined || isError(names)
        ? names
        : names.map((name) => ({ kind: 'storage#bucket', id: name, name }));
    return list(state, buckets, 'items', token, `project ${project}`);
  }
  match = /^\/storage\/v1\/b\/([^/]+)\/iam$/.exec(path);
  if (method === 'GET' && match) {
    const bucket = decodeURIComponent(match[1]!);
    for (const project of Object.values(state.projects)) {
      const buckets = project.buckets;
      if (buckets !== undefined && !isError(buckets) && bucket in buckets)
        return reply(buckets[bucket], bucket);
    }
    return reply(undefined, `bucket ${bucket}`);
  }
  return reply(gcpError(404, 'NOT_FOUND', `no fake for ${method} ${path}`), path);
}

export async function startFakeGcpIam(initial: FakeGcpIamState): Promise<FakeGcpIamServer> {
  const requests: GcpIamRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://stand-in');
      const method = incoming.method ?? '';
      const query = Object.fromEntries(url.searchParams);
      requests.push({
        method,
        path: url.pathname,
        query,
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const { status, body } = answer(fake.state, method, url.pathname, query);
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(JSON.stringify(body));
    });
  });
  const local = await listenLocally(server);
  const fake: FakeGcpIamServer = { url: local.url, requests, state: initial, close: local.close };
  return fake;
}
