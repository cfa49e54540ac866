import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStore, type Store, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import type { StoreLocation } from '../../shared/adapters/store/store-uri.js';
import { WHO_ACCESSED } from '../../shared/core/queries/named-queries.js';
import { timeRange } from '../../shared/core/queries/time-range.js';
import { pageAlertOf } from '../../shared/core/report/page-data.js';
import { RAW_EVENT } from '../../shared/core/report/raw-event.js';
import { timestampOf } from '../../shared/core/time/timestamp.js';
import { answer } from '../../shared/pipeline/query.js';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { loadPageData } from '../ui/load-page-data.js';
import { loadAppScript, pageHtml } from '../ui/page-html.js';

export interface UiOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  readonly host: string;
  readonly port: number;
  /** The window a page opens on when its address names none (`7d`, a date…). */
  readonly window?: { readonly since?: string; readonly until?: string };
}

export interface UiServer {
  readonly url: string;
  /** Null on loopback; otherwise every request must carry it. */
  readonly token: string | null;
  close(): Promise<void>;
}

export const TOKEN_HEADER = 'x-tokentrail-token';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
  csp?: string,
  extra: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...extra,
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': csp ?? "default-src 'none'; frame-ancestors 'none'",
  });
  response.end(body);
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `tokentrail ui`'s server: the lineage and alerts page over the store's named queries, read as
 * `query` reads them, and one write, acknowledging an alert (what `alerts ack` does). Requests
 * must name this server in Host (no DNS rebinding), a write must come from its own page (Origin),
 * and off loopback every request carries the token printed at start.
 */
export async function startUiServer(options: UiOptions, io: CliIo): Promise<UiServer> {
  const script = await loadAppScript();
  const token = LOOPBACK.has(options.host) ? null : randomBytes(24).toString('base64url');
  // One store open at a time: an embedded DuckDB file is opened by one instance per process.
  let queue: Promise<unknown> = Promise.resolve();
  const withStore = <T>(use: (store: Store) => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      const store = await openStore(options.store, { ...options.storeOptions, mustExist: true });
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  let allowedHosts = new Set<string>();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const host = request.headers.host ?? '';
    // On loopback the Host check stops DNS rebinding; elsewhere the names the server is reached by are
    // unknown, and the token (which a rebinding page cannot know) does that job.
    if (token === null && !allowedHosts.has(host))
      return send(response, 421, 'text/plain', 'unexpected Host\n');
    const url = new URL(request.url ?? '/', `http://${host}`);
    if (token !== null) {
      const given = (request.headers[TOKEN_HEADER] as string | undefined) ?? url.searchParams.get('token');
      if (!sameToken(given ?? null, token)) return send(response, 401, 'text/plain', 'token required\n');
    }
    // The address's window wins; one it leaves open falls back to the command's.
    const named = url.searchParams.has('since') || url.searchParams.has('until');
    const window = {
      since: url.searchParams.get('since') ?? (named ? undefined : options.window?.since),
      until: url.searchParams.get('until') ?? (named ? undefined : options.window?.until),
    };
    const ack = /^\/api\/alerts\/([^/]+)\/ack$/.exec(url.pathname);
    if (request.method === 'POST' && ack) {
      if (request.headers.origin !== `http://${host}`)
        return send(response, 403, 'text/plain', 'cross-origin request refused\n');
      const id = decodeURIComponent(ack[1]!);
      const found = await withStore((store) =>
        store.updateAlert(id, { status: 'acked' }, timestampOf(io.now())),
      );
      return found
        ? send(response, 200, 'application/json', JSON.stringify({ alert_id: id, status: 'acked' }))
        : send(response, 404, 'text/plain', 'no such alert\n');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(response, 405, 'text/plain', 'method not allowed\n');
    if (url.pathname === '/') {
      const data = await withStore((store) => loadPageData(store, () => io.now(), { ...window, live: true }));
      const page = pageHtml(data, script, "'self'");
      return send(response, 200, 'text/html', page.html, `${page.csp}; frame-ancestors 'none'`);
    }
    if (url.pathname === '/api/page-data') {
      const data = await withStore((store) => loadPageData(store, () => io.now(), { ...window, live: true }));
      return send(response, 200, 'application/json', JSON.stringify(data));
    }
    if (url.pathname === '/api/who-accessed') {
      const result = await withStore((store) =>
        answer(
          store,
          { now: () => io.now() },
          { query: WHO_ACCESSED, patterns: { bucket: url.searchParams.get('bucket') ?? '*' }, ...window },
        ),
      );
      return send(response, 200, 'application/json', JSON.stringify(result));
    }
    const raw = /^\/api\/events\/([^/]+)\/raw$/.exec(url.pathname);
    if (raw) {
      // The record as the cloud logged it, attacker-controlled: JSON text the browser must not sniff
      // into markup, under the API's CSP (no script, no frame).
      const eventId = decodeURIComponent(raw[1]!);
      const result = await withStore((store) => store.query(RAW_EVENT, { event_id: eventId }));
      const text = result.rows[0]?.raw;
      if (text === undefined || text === null) return send(response, 404, 'text/plain', 'no such event\n');
      return send(response, 200, 'application/json', String(text), undefined, {
        'content-disposition': 'inline',
      });
    }
    if (url.pathname === '/api/alerts') {
      const alerts = await withStore((store) => store.listAlerts());
      return send(response, 200, 'application/json', JSON.stringify(alerts.map(pageAlertOf)));
    }
    return send(response, 404, 'text/plain', 'not found\n');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof UsageError ? 400 : 500;
      if (!response.headersSent) send(response, status, 'text/plain', `${(error as Error).message}\n`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = new Set([...LOOPBACK].map((name) => `${hostPart(name)}:${port}`));
  return {
    url: `http://${hostPart(options.host)}:${port}/${token === null ? '' : `?token=${token}`}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `tokentrail ui`: serves until Ctrl-C. */
export async function uiCommand(options: UiOptions, io: CliIo): Promise<number> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
    throw new UsageError(`--port must be 0 to 65535, not ${options.port}`);
  // A window the store cannot be asked for is a usage error now, not on every page load.
  timeRange({ since: options.window?.since, until: options.window?.until }, io.now(), '7d');
  const server = await startUiServer(options, io);
  io.stdout.write(`tokentrail ui: ${server.url} (Ctrl-C to stop)\n`);
  if (server.token !== null)
    io.stderr.write(
      `listening on ${options.host}, beyond this machine: every request needs the token in the URL above\n`,
    );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return EXIT.ok;
}
