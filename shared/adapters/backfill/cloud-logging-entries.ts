import { asObject } from '../../core/json-access.js';
import { LOG_ROUTER_FILTER } from '../../core/queries/log-router-filter.js';
import { parseTimestamp } from '../../core/time/timestamp.js';
import { decodeValue } from '../../sources/decode-value.js';
import type { DecodeLimits } from '../../sources/limits.js';
import { loadGoogleAuth } from '../gcp-auth/load-google-auth.js';
import type { RetryPolicy } from '../http/backoff.js';
import { HttpError, requestJson } from '../http/http-client.js';
import type { BackfillPage, BackfillWindow, PageSource } from './backfill-run.js';
import type { RequestPacer } from './request-pacer.js';

export const LOGGING_API = 'https://logging.googleapis.com';
export const LOGGING_READ_SCOPE = 'https://www.googleapis.com/auth/logging.read';
/** entries.list allows 60 requests a minute per project. */
export const ENTRIES_LIST_PER_SECOND = 1;
/** The most entries.list returns in one page. */
export const ENTRIES_PAGE_SIZE = 1000;
/** Data Access audit logs stay 30 days in the _Default bucket unless its retention was raised. */
export const DATA_ACCESS_RETENTION_DAYS = 30;

const RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 };
const TIMEOUT_MS = 60_000;

export type AuthHeaders = (url: string) => Promise<Headers | Record<string, string>>;

export interface CloudLoggingOptions {
  readonly project: string;
  /** Another API root (a test server). No credentials are sent to it unless `authHeaders` is given. */
  readonly endpoint?: string;
  /** Request headers with credentials; by default Application Default Credentials, read-only scope. */
  readonly authHeaders?: AuthHeaders;
  readonly pacer: RequestPacer;
  readonly limits: DecodeLimits;
  readonly retry?: RetryPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly nowMs?: () => number;
}

export function cloudLoggingSource(project: string): string {
  return `gcp:logging:projects/${project}`;
}

/** The sink's filter, narrowed to the part of the window still to read. */
export function entriesFilter(window: BackfillWindow, reached: string | null): string {
  return `${LOG_ROUTER_FILTER} AND timestamp >= "${reached ?? window.since}" AND timestamp <= "${window.until}"`;
}

export class CloudLoggingError extends Error {
  override readonly name = 'CloudLoggingError';
}

async function defaultAuthHeaders(): Promise<AuthHeaders> {
  // Loaded only when talking to Google: it is large, and tests and other commands do not need it.
  const GoogleAuth = await loadGoogleAuth();
  try {
    const client = await new GoogleAuth({ scopes: [LOGGING_READ_SCOPE] }).getClient();
    return (url) => client.getRequestHeaders(url);
  } catch (error) {
    throw new CloudLoggingError(
      `no Google credentials (${(error as Error).message}): run gcloud auth application-default login, or run where a service account is attached`,
    );
  }
}

function hintFor(status: number, project: string): string {
  if (status === 401 || status === 403) {
    return ` (reading Data Access audit logs needs roles/logging.privateLogViewer on project ${project} for the credentials in use)`;
  }
  if (status === 404) return ` (is ${project} a project id?)`;
  return '';
}

interface EntriesPage {
  readonly entries: readonly unknown[];
  readonly nextPageToken: string | undefined;
}

function pageOf(entries: readonly unknown[], input: string, limits: DecodeLimits): BackfillPage {
  let newest: string | null = null;
  const items = entries.flatMap((entry) => {
    const object = asObject(entry);
    const insertId = typeof object?.insertId === 'string' ? object.insertId : '';
    const time = typeof object?.timestamp === 'string' ? parseTimestamp(object.timestamp) : null;
    if (time !== null && (newest === null || time > newest)) newest = time;
    return decodeValue(entry, { limits, position: { value: 0, path: `/insertId/${insertId}`, offset: 0 } });
  });
  return { input, items, events: entries.length, reached: newest };
}

/**
 * The project's federation audit log entries through Cloud Logging's REST `entries.list`, oldest
 * first, 1000 a page, paced under the API quota and retried on 429, 408, 5xx and network errors with
 * backoff (honouring Retry-After). It is called directly, not through @google-cloud/logging, whose
 * REST mode cannot decode AuditLog payloads: the entries arrive as plain JSON LogEntries here.
 */
export function cloudLoggingPages(options: CloudLoggingOptions): PageSource {
  const url = `${(options.endpoint ?? LOGGING_API).replace(/\/+$/, '')}/v2/entries:list`;
  const input = `cloud-logging:projects/${options.project}`;

  async function credentialHeaders(headersFor: AuthHeaders): Promise<Headers | Record<string, string>> {
    try {
      return await headersFor(url);
    } catch (error) {
      throw new CloudLoggingError(`could not get a Google access token: ${(error as Error).message}`);
    }
  }

  async function post(body: string, headersFor: AuthHeaders | null): Promise<EntriesPage> {
    try {
      const { json } = await requestJson(
        url,
        async () => {
          await options.pacer.take();
          const headers = new Headers(headersFor ? await credentialHeaders(headersFor) : undefined);
          headers.set('content-type', 'application/json');
          return { method: 'POST', headers, body };
        },
        {
          service: 'Cloud Logging entries.list',
          timeoutMs: TIMEOUT_MS,
          retry: options.retry ?? RETRY,
          // A read: a repeat does no harm.
          idempotent: true,
          ...(options.sleep ? { sleep: options.sleep } : {}),
          ...(options.random ? { random: options.random } : {}),
          ...(options.nowMs ? { now: options.nowMs } : {}),
        },
      );
      const parsed = asObject(json);
      const entries = parsed?.entries;
      const token = parsed?.nextPageToken;
      return {
        entries: Array.isArray(entries) ? entries : [],
        nextPageToken: typeof token === 'string' && token !== '' ? token : undefined,
      };
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const hint = error.status === undefined ? '' : hintFor(error.status, options.project);
      throw new CloudLoggingError(`${error.message}${hint}`, { cause: error });
    }
  }

  return async function* logEntryPages(window, reached) {
    const headersFor = options.authHeaders ?? (options.endpoint ? null : await defaultAuthHeaders());
    const request = {
      resourceNames: [`projects/${options.project}`],
      filter: entriesFilter(window, reached),
      orderBy: 'timestamp asc',
      pageSize: ENTRIES_PAGE_SIZE,
    };
    let pageToken: string | undefined;
    do {
      const page = await post(JSON.stringify(pageToken ? { ...request, pageToken } : request), headersFor);
      // A page can be empty and still have a token: the search ran out of time, not out of entries.
      yield pageOf(page.entries, input, options.limits);
      pageToken = page.nextPageToken;
    } while (pageToken);
  };
}
