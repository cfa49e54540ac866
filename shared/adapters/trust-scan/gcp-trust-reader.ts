import type { FederatedGrant, ScannedPrincipal, ScanProblem } from '../../core/detect/trusts.js';
import { IMPERSONATION_ROLES, parseFederatedMember } from '../../core/identity/gcp-identity.js';
import { providerTrust } from '../../core/identity/gcp-provider-trust.js';
import { asArray, asObject, asText, type JsonObject } from '../../core/json-access.js';
import { gcpHttpFailure } from '../doctor/fetch-failure.js';
import { loadGoogleAuth } from '../gcp-auth/load-google-auth.js';
import { DEFAULT_RETRY, type RetryPolicy, type Sleep } from '../http/backoff.js';
import { HttpError, requestJson } from '../http/http-client.js';

export interface GcpTrustHttpOptions {
  /** No progress for this long fails an attempt. Default 30 s. */
  readonly timeoutMs?: number;
  /** Default DEFAULT_RETRY: 429, 408, 5xx and network failures are tried again with backoff. */
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

export interface GcpTrustReadOptions {
  /** Project ids (or numbers) to read. */
  readonly projects: readonly string[];
  /**
   * One root for IAM, Resource Manager and Cloud Storage (a local stand-in), as TOKENTRAIL_GCP_ENDPOINT
   * is for `doctor gcp`: each API's path is kept, its host replaced. No credentials are sent to it
   * unless `accessToken` is given.
   */
  readonly endpoint?: string;
  /** An OAuth access token for each request. Default: Application Default Credentials, read-only scope. */
  readonly accessToken?: () => Promise<string>;
  readonly http?: GcpTrustHttpOptions;
  /**
   * Per-resource reads (providers, policies) in flight at once in each of a project's four parts
   * (pools, service accounts, project, buckets), which are read side by side. Default 8.
   */
  readonly concurrency?: number;
}

export interface GcpTrustScan {
  /**
   * Per project, in this order: its workload identity pools (kind `pool`, one trust per enabled
   * provider), then its service accounts, the project and its buckets, each only where its IAM
   * policy grants a role that matters to a federated member (`principal://` / `principalSet://`
   * naming a workload or workforce pool).
   */
  readonly principals: readonly ScannedPrincipal[];
  /** Reads answered 403 or 404: what could not be seen. */
  readonly problems: readonly ScanProblem[];
}

/** A read that failed otherwise than 403/404 after the retries, or no credentials. */
export class GcpTrustReadError extends Error {
  override readonly name = 'GcpTrustReadError';
}

export const TRUST_SCAN_SCOPE = 'https://www.googleapis.com/auth/cloud-platform.read-only';

const ROOTS = {
  iam: 'https://iam.googleapis.com',
  resourceManager: 'https://cloudresourcemanager.googleapis.com',
  storage: 'https://storage.googleapis.com',
} as const;

export { IMPERSONATION_ROLES };

const isStorageRole = (role: string) => role.startsWith('roles/storage.');

/** The bindings of a policy that grant a role `matters` to a federated member, one grant per member. */
export function federatedGrants(policy: unknown, matters: (role: string) => boolean): FederatedGrant[] {
  const grants: FederatedGrant[] = [];
  for (const entry of asArray(asObject(policy)?.bindings)) {
    const binding = asObject(entry);
    const role = asText(binding?.role);
    if (binding === null || role === null || !matters(role)) continue;
    const condition = asText(asObject(binding.condition)?.expression);
    for (const member of asArray(binding.members)) {
      if (typeof member === 'string' && parseFederatedMember(member) !== null) {
        grants.push({ role, member, condition });
      }
    }
  }
  return grants;
}

type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: ScanProblem };

type HeadersFor = (url: string) => Promise<Headers | Record<string, string>>;

async function applicationDefaultHeaders(): Promise<HeadersFor> {
  const GoogleAuth = await loadGoogleAuth();
  const auth = new GoogleAuth({ scopes: [TRUST_SCAN_SCOPE] });
  return (url) => auth.getRequestHeaders(url);
}

/**
 * Maps `items` with at most `limit` calls in flight, results in the items' order. After a call
 * throws no other starts, and the error is rethrown once those in flight have ended, so nothing
 * is left reading after the scan has failed.
 */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (failures.length === 0 && next < items.length) {
      const index = next++;
      try {
        results[index] = await map(items[index]!);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
  return results;
}

/** The REST reads of one scan: one auth source, one retry policy, 403/404 turned into problems. */
class GcpReader {
  private headers: Promise<HeadersFor | null> | null = null;

  constructor(private readonly options: GcpTrustReadOptions) {}

  root(api: keyof typeof ROOTS): string {
    return (this.options.endpoint ?? ROOTS[api]).replace(/\/+$/, '');
  }

  private headersFor(): Promise<HeadersFor | null> {
    const { accessToken, endpoint } = this.options;
    if (accessToken) return Promise.resolve(async () => ({ authorization: `Bearer ${await accessToken()}` }));
    if (endpoint) return Promise.resolve(null);
    this.headers ??= applicationDefaultHeaders();
    return this.headers;
  }

  private async credentials(url: string): Promise<Headers> {
    const headersFor = await this.headersFor();
    if (headersFor === null) return new Headers();
    try {
      return new Headers(await headersFor(url));
    } catch (error) {
      throw new GcpTrustReadError(
        `no Google access token (${(error as Error).message}): run gcloud auth application-default login, or run where a service account is attached`,
        { cause: error },
      );
    }
  }

  /** One read: its JSON, a problem for `scope` on 403/404, or a thrown GcpTrustReadError. */
  async read(
    scope: string,
    service: string,
    url: string,
    post?: { readonly body?: unknown },
  ): Promise<Outcome<JsonObject>> {
    const http = this.options.http ?? {};
    try {
      const { json } = await requestJson(
        url,
        async () => {
          const headers = await this.credentials(url);
          headers.set('accept', 'application/json');
          if (post === undefined) return { method: 'GET', headers };
          // An empty body still goes with Content-Length: 0 (no chunked POST).
          if (post.body === undefined) return { method: 'POST', headers, body: '' };
          headers.set('content-type', 'application/json');
          return { method: 'POST', headers, body: JSON.stringify(post.body) };
        },
        {
          service,
          timeoutMs: http.timeoutMs ?? 30_000,
          retry: http.retry ?? DEFAULT_RETRY,
          // Every call reads: getIamPolicy is a POST that changes nothing.
          idempotent: true,
          ...(http.sleep ? { sleep: http.sleep } : {}),
          ...(http.random ? { random: http.random } : {}),
        },
      );
      return { ok: true, value: asObject(json) ?? {} };
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      if (error.status === 403 || error.status === 404) {
        const failure = gcpHttpFailure(error);
        const code = failure.code === undefined ? '' : ` ${failure.code}`;
        return {
          ok: false,
          problem: { cloud: 'gcp', scope, message: `HTTP ${error.status}${code}: ${failure.message}` },
        };
      }
      throw new GcpTrustReadError(`reading ${scope}: ${error.message}`, { cause: error });
    }
  }

  /** Every page of a list (`pageToken` / `nextPageToken`); items read before a failure are kept. */
  async list(
    scope: string,
    service: string,
    url: string,
    key: string,
  ): Promise<{ items: JsonObject[]; problem: ScanProblem | null }> {
    const items: JsonObject[] = [];
    let token: string | null = null;
    do {
      const page = new URL(url);
      if (token !== null) page.searchParams.set('pageToken', token);
      const outcome = await this.read(scope, service, page.toString());
      if (!outcome.ok) return { items, problem: outcome.problem };
      for (const item of asArray(outcome.value[key])) {
        const object = asObject(item);
        if (object !== null) items.push(object);
      }
      token = asText(outcome.value.nextPageToken);
    } while (token !== null);
    return { items, problem: null };
  }
}

const lastSegment = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/** Collects a section's principals and problems, so sections can run together and still report in order. */
interface Section {
  readonly principals: ScannedPrincipal[];
  readonly problems: ScanProblem[];
}

const section = (): Section => ({ principals: [], problems: [] });

async function readPools(reader: GcpReader, project: string, limit: number): Promise<Section> {
  const out = section();
  const base = `${reader.root('iam')}/v1/projects/${encodeURIComponent(project)}/locations/global/workloadIdentityPools`;
  const listed = await reader.list(
    `projects/${project} workloadIdentityPools`,
    'IAM workloadIdentityPools.list',
    base,
    'workloadIdentityPools',
  );
  if (listed.problem) out.problems.push(listed.problem);
  const pools = listed.items.filter((pool) => pool.state !== 'DELETED' && pool.disabled !== true);
  if (pools.length === 0) return out;

  let number: Promise<Outcome<string>> | null = null;
  const projectNumber = (poolName: string): Promise<Outcome<string>> => {
    const carried = /^projects\/(\d+)\//.exec(poolName)?.[1];
    if (carried !== undefined) return Promise.resolve({ ok: true, value: carried });
    number ??= reader
      .read(
        `projects/${project}`,
        'Resource Manager projects.get',
        `${reader.root('resourceManager')}/v3/projects/${encodeURIComponent(project)}`,
      )
      .then((outcome): Outcome<string> => {
        if (!outcome.ok) return outcome;
        const found = /^projects\/(\d+)$/.exec(asText(outcome.value.name) ?? '')?.[1];
        return found === undefined
          ? {
              ok: false,
              problem: {
                cloud: 'gcp',
                scope: `projects/${project}`,
                message: 'no project number in its name',
              },
            }
          : { ok: true, value: found };
      });
    return number;
  };

  const read = await mapLimited(pools, limit, async (pool) => {
    const name = asText(pool.name) ?? '';
    const id = lastSegment(name);
    const providers = await reader.list(
      `${name} providers`,
      'IAM workloadIdentityPools.providers.list',
      `${base}/${encodeURIComponent(id)}/providers`,
      'workloadIdentityPoolProviders',
    );
    // A pool whose providers could not all be read is left out: its trusts would be understated.
    if (providers.problem) return { problems: [providers.problem] };
    const numbered = await projectNumber(name);
    if (!numbered.ok) return { problems: [numbered.problem] };
    const principal: ScannedPrincipal = {
      cloud: 'gcp',
      kind: 'pool',
      principal: `principalSet://iam.googleapis.com/projects/${numbered.value}/locations/global/workloadIdentityPools/${id}/*`,
      trusts: providers.items
        .filter((provider) => provider.state !== 'DELETED' && provider.disabled !== true)
        .map((provider) => providerTrust(provider, null)),
      grants: [],
      source: name,
    };
    return { principal, problems: [] };
  });
  for (const entry of read) {
    if ('principal' in entry && entry.principal) out.principals.push(entry.principal);
    out.problems.push(...entry.problems);
  }
  // The project number lookup is shared by the pools: one problem for it, not one per pool.
  const unique = new Map(out.problems.map((problem) => [`${problem.scope}\n${problem.message}`, problem]));
  return { principals: out.principals, problems: [...unique.values()] };
}

async function readServiceAccounts(reader: GcpReader, project: string, limit: number): Promise<Section> {
  const out = section();
  const base = `${reader.root('iam')}/v1/projects/${encodeURIComponent(project)}/serviceAccounts`;
  const listed = await reader.list(
    `projects/${project} serviceAccounts`,
    'IAM serviceAccounts.list',
    base,
    'accounts',
  );
  if (listed.problem) out.problems.push(listed.problem);
  const read = await mapLimited(listed.items, limit, async (account) => {
    const email = asText(account.email) ?? lastSegment(asText(account.name) ?? '');
    const resource = `projects/${project}/serviceAccounts/${email}`;
    // serviceAccounts.getIamPolicy takes its options in the query; its request body must be empty.
    const policy = await reader.read(
      resource,
      'IAM serviceAccounts.getIamPolicy',
      `${base}/${encodeURIComponent(email)}:getIamPolicy?options.requestedPolicyVersion=3`,
      {},
    );
    if (!policy.ok) return { problem: policy.problem };
    const grants = federatedGrants(policy.value, (role) => IMPERSONATION_ROLES.has(role));
    if (grants.length === 0) return {};
    const principal: ScannedPrincipal = {
      cloud: 'gcp',
      kind: 'service-account',
      principal: email,
      trusts: [],
      grants,
      source: asText(account.name) ?? resource,
    };
    return { principal };
  });
  for (const entry of read) {
    if (entry.principal) out.principals.push(entry.principal);
    if (entry.problem) out.problems.push(entry.problem);
  }
  return out;
}

async function readProjectPolicy(reader: GcpReader, project: string, _limit: number): Promise<Section> {
  const out = section();
  const policy = await reader.read(
    `projects/${project}`,
    'Resource Manager projects.getIamPolicy',
    `${reader.root('resourceManager')}/v3/projects/${encodeURIComponent(project)}:getIamPolicy`,
    { body: { options: { requestedPolicyVersion: 3 } } },
  );
  if (!policy.ok) {
    out.problems.push(policy.problem);
    return out;
  }
  const grants = federatedGrants(
    policy.value,
    (role) => isStorageRole(role) || IMPERSONATION_ROLES.has(role),
  );
  if (grants.length > 0) {
    out.principals.push({
      cloud: 'gcp',
      kind: 'project',
      principal: `projects/${project}`,
      trusts: [],
      grants,
      source: `projects/${project}`,
    });
  }
  return out;
}

async function readBuckets(reader: GcpReader, project: string, limit: number): Promise<Section> {
  const out = section();
  const base = `${reader.root('storage')}/storage/v1/b`;
  const listed = await reader.list(
    `projects/${project} buckets`,
    'Cloud Storage buckets.list',
    `${base}?project=${encodeURIComponent(project)}`,
    'items',
  );
  if (listed.problem) out.problems.push(listed.problem);
  const read = await mapLimited(listed.items, limit, async (bucket) => {
    const name = asText(bucket.name) ?? asText(bucket.id) ?? '';
    const resource = `projects/_/buckets/${name}`;
    const policy = await reader.read(
      resource,
      'Cloud Storage buckets.getIamPolicy',
      `${base}/${encodeURIComponent(name)}/iam?optionsRequestedPolicyVersion=3`,
    );
    if (!policy.ok) return { problem: policy.problem };
    const grants = federatedGrants(policy.value, isStorageRole);
    if (grants.length === 0) return {};
    // Named as the storage data access rows name a bucket in `resource`.
    const principal: ScannedPrincipal = {
      cloud: 'gcp',
      kind: 'bucket',
      principal: `gs://${name}`,
      trusts: [],
      grants,
      source: resource,
    };
    return { principal };
  });
  for (const entry of read) {
    if (entry.principal) out.principals.push(entry.principal);
    if (entry.problem) out.problems.push(entry.problem);
  }
  return out;
}

/**
 * What may become or use each principal of the given projects, read-only over REST: workload
 * identity pools and their providers (parsed by `providerTrust`), and the IAM policies of service
 * accounts, the project and its buckets, of which the bindings to federated members are kept. A 403
 * or 404 on one read is a problem and the scan goes on; other failures (after retries) throw
 * GcpTrustReadError.
 */
export async function readGcpTrusts(options: GcpTrustReadOptions): Promise<GcpTrustScan> {
  const reader = new GcpReader(options);
  const limit = Math.max(1, options.concurrency ?? 8);
  const principals: ScannedPrincipal[] = [];
  const problems: ScanProblem[] = [];
  for (const project of options.projects) {
    const sections = await mapLimited(
      [readPools, readServiceAccounts, readProjectPolicy, readBuckets],
      4,
      (readSection) => readSection(reader, project, limit),
    );
    for (const part of sections) {
      principals.push(...part.principals);
      problems.push(...part.problems);
    }
  }
  return { principals, problems };
}
