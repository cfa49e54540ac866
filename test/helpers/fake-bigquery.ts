import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { runInThisContext } from 'node:vm';
import type { BigQueryAuthClient } from '../../shared/adapters/bigquery/bigquery-store.js';
import { TABLES, type TableSpec } from '../../shared/core/schema/tables.js';
import { listenLocally } from './local-server.js';

/**
 * A stand-in for the BigQuery REST API on 127.0.0.1, for the store's `apiEndpoint` (the client
 * keeps the `/bigquery/v2` prefix). It records every request and answers from a queue of scripted
 * responses per route, falling back to a plausible success:
 * - insertAll checks each row against the tokentrail table it targets the way BigQuery does with
 *   skipInvalidRows false: any invalid row fails the whole request, the others come back `stopped`.
 *   JSON columns must arrive as strings holding JSON text (see insert-all-row.ts for why).
 * - jobs.query and getQueryResults answer "done, no rows" (what a DDL statement gets).
 * - jobs.insert answers only dry runs (what query sql asks): the statement's kind, guessed from its
 *   first keyword (WITH and SELECT are SELECT, several statements a SCRIPT); script the answer where
 *   a test depends on the kind.
 * Requests sent concurrently arrive in any order: respondWhen picks a request by its content.
 */
export type FakeRoute = 'insertAll' | 'query' | 'getQueryResults' | 'insertJob';

export interface RecordedRequest {
  readonly route: FakeRoute | null;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly bodyBytes: number;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  readonly body: any;
}

/**
 * A scripted answer: a status and a body (sent as JSON, or as it is when a string: an error page
 * from a proxy), or a connection dropped without an answer.
 */
export type FakeResponse = { readonly status: number; readonly body?: unknown } | { readonly drop: true };

export interface FakeField {
  readonly name: string;
  readonly type: string;
  readonly mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
}

type FakeCell = string | null | readonly string[];

/** A jobs.query / getQueryResults body in the wire format: rows as `{f: [{v}]}`, TIMESTAMP as int64 microseconds. */
export function queryResponse(
  fields: readonly FakeField[],
  rows: readonly (readonly FakeCell[])[],
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    kind: 'bigquery#queryResponse',
    jobReference: { projectId: 'my-project', jobId: 'job_scripted', location: 'US' },
    jobComplete: true,
    schema: { fields: fields.map((field) => ({ mode: 'NULLABLE', ...field })) },
    rows: rows.map((cells) => ({
      f: cells.map((cell) => ({ v: Array.isArray(cell) ? cell.map((v) => ({ v })) : cell })),
    })),
    totalRows: String(rows.length),
    ...extra,
  };
}

/**
 * Google's client libraries load their HTTP layer with import() (@google-cloud/bigquery's
 * teeny-request and gaxios: node-fetch), which jest's CommonJS sandbox refuses without
 * --experimental-vm-modules. Loading them with Node's own require, outside the sandbox, keeps the
 * real library over real HTTP. Use it from a test file:
 * `jest.mock('@google-cloud/bigquery', () => require('../helpers/fake-bigquery.js').requireOutsideJest('@google-cloud/bigquery'))`.
 * Objects then cross realms: `instanceof Error` and `constructor === Object` checks fail on
 * objects made on the other side.
 */
export function requireOutsideJest(id: string): unknown {
  const realProcess = runInThisContext('process') as NodeJS.Process;
  return realProcess.getBuiltinModule('node:module').createRequire(__filename)(id);
}

export const FAKE_TOKEN = 'fake-access-token';

/**
 * Stands in for a google-auth-library client (all the client's GoogleAuth asks of it is request
 * headers), so tests neither look for Application Default Credentials nor probe the metadata server.
 */
export const fakeAuthClient = {
  getRequestHeaders: async () => new Headers({ authorization: `Bearer ${FAKE_TOKEN}` }),
} as unknown as BigQueryAuthClient;

const ROUTES: readonly [FakeRoute, string, RegExp][] = [
  ['insertAll', 'POST', /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)\/insertAll$/],
  ['query', 'POST', /^\/bigquery\/v2\/projects\/([^/]+)\/queries$/],
  ['getQueryResults', 'GET', /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/],
  ['insertJob', 'POST', /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/],
];

const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function isJsonText(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/** What BigQuery would say against one row, or null when the row is fine. */
function rowProblem(table: TableSpec, json: unknown): { location: string; message: string } | null {
  if (typeof json !== 'object' || json === null) return { location: '', message: 'row is not an object.' };
  const known = new Set(table.columns.map((column) => column.name));
  const unknown = Object.keys(json).find((name) => !known.has(name));
  if (unknown !== undefined) return { location: unknown, message: `no such field: ${unknown}.` };
  const record = json as Record<string, unknown>;
  for (const column of table.columns) {
    const value = record[column.name] ?? null;
    if (value === null) {
      if (column.required)
        return { location: column.name, message: `Missing required field: ${column.name}.` };
      continue;
    }
    const fine =
      column.type === 'json'
        ? isJsonText(value)
        : column.type === 'timestamp'
          ? typeof value === 'string' && CANONICAL_TIMESTAMP.test(value)
          : column.type === 'integer'
            ? Number.isSafeInteger(value)
            : column.type === 'boolean'
              ? typeof value === 'boolean'
              : typeof value === 'string';
    if (!fine) {
      const wanted = {
        json: 'a string holding JSON text',
        timestamp: 'a timestamp',
        integer: 'an integer',
        boolean: 'a boolean',
        string: 'a string',
      }[column.type];
      return { location: column.name, message: `Cannot convert value to ${wanted}: ${column.name}.` };
    }
  }
  return null;
}

export class FakeBigQuery {
  readonly requests: RecordedRequest[] = [];
  private readonly scripted = new Map<FakeRoute, FakeResponse[]>();
  private readonly picked: {
    route: FakeRoute;
    matches: (request: RecordedRequest) => boolean;
    response: FakeResponse;
  }[] = [];
  private readonly tables = new Map<string, Record<string, unknown>[]>();
  private jobs = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<FakeBigQuery> {
    let fake: FakeBigQuery | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const url = new URL(request.url ?? '/', 'http://fake');
        const method = request.method ?? 'GET';
        const match = ROUTES.map(([route, verb, pattern]) => ({
          route,
          verb,
          found: pattern.exec(url.pathname),
        })).find(({ verb, found }) => verb === method && found !== null);
        const recorded: RecordedRequest = {
          route: match?.route ?? null,
          method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: request.headers,
          bodyBytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
          body: text === '' ? undefined : JSON.parse(text),
        };
        fake!.requests.push(recorded);
        const answer = match ? fake!.answer(match.route, match.found!, recorded) : notFound(url.pathname);
        if ('drop' in answer) {
          request.socket.destroy();
          return;
        }
        const raw = typeof answer.body === 'string';
        response.writeHead(answer.status, {
          'content-type': raw ? 'text/html; charset=UTF-8' : 'application/json; charset=UTF-8',
        });
        response.end(raw ? answer.body : JSON.stringify(answer.body ?? {}));
      });
    });
    const local = await listenLocally(server);
    fake = new FakeBigQuery(server, local.url);
    return fake;
  }

  /** Queues answers for a route, used in order before the default behaviour resumes. */
  respond(route: FakeRoute, ...responses: FakeResponse[]): void {
    this.scripted.set(route, [...(this.scripted.get(route) ?? []), ...responses]);
  }

  /**
   * An answer for the first request to a route that `matches`, used once and ahead of the route's
   * queue: for requests sent at once (a page's queries), whose order is not fixed.
   */
  respondWhen(
    route: FakeRoute,
    matches: (request: RecordedRequest) => boolean,
    response: FakeResponse,
  ): void {
    this.picked.push({ route, matches, response });
  }

  requestsTo(route: FakeRoute): RecordedRequest[] {
    return this.requests.filter((request) => request.route === route);
  }

  /** Rows the default insertAll accepted into a table, as sent. */
  stored(table: string): Record<string, unknown>[] {
    return this.tables.get(table) ?? [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private answer(route: FakeRoute, found: RegExpExecArray, request: RecordedRequest): FakeResponse {
    const pick = this.picked.findIndex((entry) => entry.route === route && entry.matches(request));
    if (pick >= 0) return this.picked.splice(pick, 1)[0]!.response;
    const next = this.scripted.get(route)?.shift();
    if (next !== undefined) return next;
    switch (route) {
      case 'insertAll':
        return this.insertAll(found[3]!, request.body);
      case 'query':
        this.jobs += 1;
        return {
          status: 200,
          body: {
            kind: 'bigquery#queryResponse',
            jobReference: {
              projectId: found[1],
              jobId: `job_${this.jobs}`,
              location: request.body?.location,
            },
            jobComplete: true,
          },
        };
      case 'insertJob':
        return dryRunAnswer(request.body);
      case 'getQueryResults':
        return {
          status: 200,
          body: {
            kind: 'bigquery#getQueryResultsResponse',
            jobReference: { projectId: found[1], jobId: found[2], location: request.query.location },
            jobComplete: true,
          },
        };
    }
  }

  private insertAll(
    tableName: string,
    body: { rows?: { insertId?: string; json?: unknown }[] },
  ): FakeResponse {
    const table = TABLES.find((spec) => spec.name === tableName);
    if (table === undefined) return notFound(`Table ${tableName}`);
    const rows = body.rows ?? [];
    const problems = rows.map((row) => rowProblem(table, row.json));
    if (problems.some((problem) => problem !== null)) {
      const insertErrors = problems.map((problem, index) => ({
        index,
        errors: [
          problem === null
            ? { reason: 'stopped', location: '', debugInfo: '', message: '' }
            : { reason: 'invalid', location: problem.location, debugInfo: '', message: problem.message },
        ],
      }));
      return { status: 200, body: { kind: 'bigquery#tableDataInsertAllResponse', insertErrors } };
    }
    this.tables.set(tableName, [
      ...this.stored(tableName),
      ...rows.map((row) => row.json as Record<string, unknown>),
    ]);
    return { status: 200, body: { kind: 'bigquery#tableDataInsertAllResponse' } };
  }
}

/** A dry run's Job: its statement kind from the first keyword, as far as a stand-in can tell. */
function dryRunAnswer(body: {
  configuration?: { dryRun?: boolean; query?: { query?: string } };
}): FakeResponse {
  if (body?.configuration?.dryRun !== true) {
    return apiError(400, 'invalid', 'this stand-in runs only dry-run jobs through jobs.insert');
  }
  const text = (body.configuration.query?.query ?? '').trim().replace(/;\s*$/, '');
  const keyword = /^\(*\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? '';
  const statementType = text.includes(';')
    ? 'SCRIPT'
    : keyword === 'WITH'
      ? 'SELECT'
      : keyword === 'CREATE' || keyword === 'DROP' || keyword === 'ALTER'
        ? `${keyword}_TABLE`
        : keyword;
  return {
    status: 200,
    body: {
      kind: 'bigquery#job',
      jobReference: (body as { jobReference?: unknown }).jobReference,
      configuration: body.configuration,
      status: { state: 'DONE' },
      statistics: { totalBytesProcessed: '0', query: { statementType, totalBytesProcessed: '0' } },
    },
  };
}

function notFound(what: string): FakeResponse {
  const message = `Not found: ${what}`;
  return { status: 404, body: { error: { code: 404, message, errors: [{ reason: 'notFound', message }] } } };
}

/** An HTTP error body as BigQuery sends it. */
export function apiError(status: number, reason: string, message: string): FakeResponse {
  return { status, body: { error: { code: status, message, errors: [{ reason, message }] } } };
}
