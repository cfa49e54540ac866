import { type Fetched, fetched, fetchFailed } from '../../core/doctor/check-result.js';
import type { LogSink } from '../../core/doctor/gcp-log-sink.js';
import type { IamPolicy } from '../../core/doctor/iam-policy.js';
import { loadGoogleAuth } from '../gcp-auth/load-google-auth.js';
import type { RetryPolicy, Sleep } from '../http/backoff.js';
import { HttpError, requestJson } from '../http/http-client.js';
import { gcpHttpFailure, transportFailure } from './fetch-failure.js';

/** What the doctor asks of a google-auth-library client. */
export interface GcpAuthClient {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
}

export interface GcpDoctorOptions {
  /** TOKENTRAIL_GCP_ENDPOINT: one root for all three APIs (a local stand-in); no auth is sent to it. */
  readonly endpoint?: string;
  /** Default: Application Default Credentials (none when `endpoint` is set). */
  readonly authClient?: GcpAuthClient;
  readonly timeoutMs?: number;
  /**
   * Left out, each read is tried once: the doctor reports what it sees at once, and its reader
   * runs it again (as `sinks apply` does).
   */
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleep;
}

const ROOTS = {
  resourceManager: 'https://cloudresourcemanager.googleapis.com',
  logging: 'https://logging.googleapis.com',
  pubsub: 'https://pubsub.googleapis.com',
} as const;

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The three REST calls the doctor makes, with one auth client shared between them. */
export class GcpDoctorClient {
  private auth: Promise<GcpAuthClient | null> | null = null;

  constructor(private readonly options: GcpDoctorOptions = {}) {}

  private root(api: keyof typeof ROOTS): string {
    return (this.options.endpoint ?? ROOTS[api]).replace(/\/+$/, '');
  }

  private authClient(): Promise<GcpAuthClient | null> {
    if (this.options.endpoint && !this.options.authClient) return Promise.resolve(null);
    this.auth ??= this.options.authClient
      ? Promise.resolve(this.options.authClient)
      : loadGoogleAuth().then((GoogleAuth) => new GoogleAuth({ scopes: [SCOPE] }));
    return this.auth;
  }

  private async call<T>(
    service: string,
    url: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
  ): Promise<Fetched<T>> {
    try {
      const auth = await this.authClient();
      const headers = new Headers(auth ? await auth.getRequestHeaders(url) : {});
      headers.set('accept', 'application/json');
      if (init.body !== undefined) headers.set('content-type', 'application/json');
      const { json } = await requestJson<T>(
        url,
        {
          method: init.method,
          headers,
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        },
        {
          service,
          timeoutMs: this.options.timeoutMs ?? 15_000,
          ...(this.options.retry ? { retry: this.options.retry } : {}),
          // Every call reads (getIamPolicy is a POST that changes nothing).
          idempotent: true,
          ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        },
      );
      return fetched(json);
    } catch (error) {
      return fetchFailed(error instanceof HttpError ? gcpHttpFailure(error) : transportFailure(error));
    }
  }

  /** cloudresourcemanager v1 projects.getIamPolicy, version 3 (conditions and audit configs). */
  projectIamPolicy(project: string): Promise<Fetched<IamPolicy>> {
    const url = `${this.root('resourceManager')}/v1/projects/${encodeURIComponent(project)}:getIamPolicy`;
    return this.call('Resource Manager projects.getIamPolicy', url, {
      method: 'POST',
      body: { options: { requestedPolicyVersion: 3 } },
    });
  }

  /** logging v2 projects.sinks.get. */
  sink(project: string, sink: string): Promise<Fetched<LogSink>> {
    const url = `${this.root('logging')}/v2/projects/${encodeURIComponent(project)}/sinks/${encodeURIComponent(sink)}`;
    return this.call('Cloud Logging sinks.get', url, { method: 'GET' });
  }

  /** pubsub v1 projects.topics.getIamPolicy. */
  topicIamPolicy(project: string, topic: string): Promise<Fetched<IamPolicy>> {
    const url = `${this.root('pubsub')}/v1/projects/${encodeURIComponent(project)}/topics/${encodeURIComponent(topic)}:getIamPolicy`;
    return this.call('Pub/Sub topics.getIamPolicy', url, { method: 'GET' });
  }
}
