/**
 * BigQuery's REST API over node:http (see node-request.ts for why not fetch), with
 * google-auth-library for the Authorization header only.
 *
 * Why not @google-cloud/bigquery: cold start. The store used that client as nothing more than an
 * HTTP transport for insertAll, jobs.query and getQueryResults (its retries were off, its value
 * conversion was undone), yet importing it cost ~18 ms on top of google-auth-library's ~21 ms in
 * the bundled functions, whose cold start was 2.97x `node -e 0` against a 2.5x target. Measured
 * on an esbuild ESM bundle (Node 20, medians of 8 runs): importing the store and constructing it
 * took 54 ms with the client, 8 ms now; with google-auth-library loaded too (which the first
 * request does: it stays, as it is what makes the keyless federation work), 56 ms then, 33 ms now.
 */
import type { IncomingMessage } from 'node:http';
import { loadGoogleAuth } from '../gcp-auth/load-google-auth.js';
import { readText, sendRequest } from '../http/node-request.js';

export const BIGQUERY_SCOPE = 'https://www.googleapis.com/auth/bigquery';

const DEFAULT_ENDPOINT = 'https://bigquery.googleapis.com';

/** A request whose connection stays idle this long is abandoned and counts as a network failure. */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * What the transport asks of a google-auth-library client: `GoogleAuth`, an external-account or
 * impersonated client (they return a `Headers`), or a stand-in returning a plain record.
 */
export interface BigQueryAuthClient {
  getRequestHeaders(url?: string): Promise<Headers | Readonly<Record<string, string>>>;
}

export interface BigQueryRestOptions {
  /** `http://host:port` of a stand-in; `/bigquery/v2` is appended. Default `https://bigquery.googleapis.com`. */
  readonly apiEndpoint?: string;
  /** Absent: Application Default Credentials (the metadata server on GCP, the `external_account` file on a Lambda). */
  readonly authClient?: BigQueryAuthClient;
  /**
   * The project, given to Application Default Credentials so that google-auth-library does not
   * look one up (an external-account client would ask Cloud Resource Manager for it).
   */
  readonly projectId?: string;
  /** How long one request may take, answer and body. Default 60 s. */
  readonly timeoutMs?: number;
}

export interface BigQueryFailure {
  /** The HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** BigQuery's reasons (`errors[].reason`), e.g. `accessDenied`, `backendError`. */
  readonly reasons: readonly string[];
  /** The network error code when no response arrived, e.g. `ECONNRESET`, `ECONNREFUSED`, `ETIMEDOUT`. */
  readonly code: string | null;
}

/** A failed call. Its message is whole: `HTTP 403 accessDenied: Access Denied: Table …` or `ECONNRESET socket hang up`. */
export class BigQueryRequestError extends Error implements BigQueryFailure {
  override readonly name = 'BigQueryRequestError';

  constructor(
    message: string,
    readonly status: number | null,
    readonly reasons: readonly string[],
    readonly code: string | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface ErrorBody {
  readonly error?: {
    readonly message?: unknown;
    readonly errors?: readonly { readonly reason?: unknown }[];
  };
}

function oneLine(text: string, limit = 500): string {
  const line = text.replaceAll(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}

/** An HTTP error answer: BigQuery's `{error: {message, errors: [{reason}]}}`, or whatever text came back. */
function httpFailure(status: number, statusText: string, text: string): BigQueryRequestError {
  let body: ErrorBody | null = null;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // A proxy or load balancer page: its text is all there is.
  }
  const reasons = (body?.error?.errors ?? [])
    .map((entry) => entry.reason)
    .filter((reason): reason is string => typeof reason === 'string' && reason !== '');
  const apiMessage = body?.error?.message;
  const message =
    typeof apiMessage === 'string' && apiMessage !== ''
      ? apiMessage
      : oneLine(text) || statusText || 'no message';
  const reason = reasons[0] === undefined ? '' : ` ${reasons[0]}:`;
  return new BigQueryRequestError(`HTTP ${status}${reason} ${oneLine(message)}`, status, reasons, null);
}

/** The first string `code` along an error's causes (a wrapped socket error keeps its code in `cause`). */
export function networkCodeOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (Array.isArray(errors) && errors.length > 0) {
      const first = networkCodeOf(errors[0]);
      if (first !== null) return first;
    }
    current = cause;
  }
  return null;
}

/** The message of an error, read without `instanceof` (errors may come from another realm). */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function networkFailure(error: unknown): BigQueryRequestError {
  const code = networkCodeOf(error);
  const message = messageOf(error);
  const cause = (error as { cause?: unknown } | null)?.cause;
  const detail = cause === undefined || messageOf(cause) === '' ? '' : `: ${messageOf(cause)}`;
  return new BigQueryRequestError(
    oneLine(`${code === null ? '' : `${code} `}${message}${detail}`),
    null,
    [],
    code,
    { cause: error },
  );
}

/** google-auth-library's "no Application Default Credentials anywhere" (GoogleAuth's NO_ADC_FOUND). */
function isMissingCredentials(error: unknown): boolean {
  return messageOf(error).includes('Could not load the default credentials');
}

async function applicationDefaultCredentials(projectId?: string): Promise<BigQueryAuthClient> {
  const GoogleAuth = await loadGoogleAuth();
  return new GoogleAuth({ scopes: [BIGQUERY_SCOPE], ...(projectId === undefined ? {} : { projectId }) });
}

/**
 * Auth headers as a plain record with lower-case names. A `Headers` is read through its own
 * methods, never constructed here: the global Headers is undici's, and touching it loads all of
 * fetch (see node-request.ts).
 */
function recordOf(headers: Headers | Readonly<Record<string, string>>): Record<string, string> {
  const record: Record<string, string> = {};
  const add = (value: string, name: string) => {
    record[name.toLowerCase()] = value;
  };
  if (typeof headers.forEach === 'function') (headers as Headers).forEach(add);
  else for (const [name, value] of Object.entries(headers)) add(value, name);
  return record;
}

export type QueryString = Readonly<Record<string, string | undefined>>;

/** JSON requests to `{endpoint}/bigquery/v2/…`, each with the auth client's headers. No retries here: the store has the policy. */
export class BigQueryRest {
  /** `{endpoint}/bigquery/v2`. */
  readonly root: string;
  private readonly customEndpoint: boolean;
  /** Created once, on the first request; null once a stand-in turned out to be reached without credentials. */
  private auth: Promise<BigQueryAuthClient | null> | undefined;

  constructor(private readonly options: BigQueryRestOptions = {}) {
    const endpoint = options.apiEndpoint ?? DEFAULT_ENDPOINT;
    const withProtocol = /^\w*:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;
    this.root = `${withProtocol.replace(/\/+$/, '')}/bigquery/v2`;
    this.customEndpoint = options.apiEndpoint !== undefined;
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', `${this.root}${path}`, body);
  }

  get<T>(path: string, query: QueryString = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, value);
    const text = search.toString();
    return this.send<T>('GET', `${this.root}${path}${text === '' ? '' : `?${text}`}`);
  }

  private async send<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
    const headers = recordOf(await this.authHeaders(url));
    headers.accept = 'application/json';
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: IncomingMessage;
    let text: string;
    try {
      response = await sendRequest(new URL(url), {
        method,
        headers,
        timeoutMs: this.options.timeoutMs ?? REQUEST_TIMEOUT_MS,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      text = await readText(response);
    } catch (error) {
      throw networkFailure(error);
    }
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw httpFailure(status, response.statusMessage ?? '', text);
    if (text.trim() === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new BigQueryRequestError(
        `HTTP ${status} with a body that is not JSON: ${oneLine(text, 200)}`,
        status,
        [],
        null,
      );
    }
  }

  private async authHeaders(url: string): Promise<Headers | Readonly<Record<string, string>>> {
    this.auth ??= this.options.authClient
      ? Promise.resolve(this.options.authClient)
      : applicationDefaultCredentials(this.options.projectId);
    const client = await this.auth;
    if (client === null) return {};
    try {
      return await client.getRequestHeaders(url);
    } catch (error) {
      // A stand-in or emulator needs no token: with no credentials to be found, the request goes
      // out without one, as the client library's did. The real API still gets the error.
      if (this.customEndpoint && !this.options.authClient && isMissingCredentials(error)) {
        this.auth = Promise.resolve(null);
        return {};
      }
      throw error;
    }
  }
}
