import type { ScannedPrincipal, ScanProblem } from '../../core/detect/trusts.js';
import { federatedTrusts } from '../../core/identity/aws-trust-policy.js';

export interface AwsTrustReadOptions {
  /** IAM is global; the region only picks the signing region. Default us-east-1. */
  readonly region?: string;
  /** Another IAM endpoint (a local stand-in). Real credentials are not sent to it unless given here. */
  readonly endpoint?: string;
  /** Default: the SDK's chain (environment, profile, SSO, instance role), or a placeholder with `endpoint`. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Attempts per call, the SDK's own retries included. Default 3, the SDK's standard. */
  readonly maxAttempts?: number;
}

/** An IAM OIDC identity provider: the audiences (client IDs) it accepts for any role that trusts it. */
export interface AwsOidcProvider {
  readonly arn: string;
  /** As IAM stores it: host and path, no scheme (`token.actions.githubusercontent.com`). */
  readonly url: string;
  readonly clientIds: readonly string[];
}

export interface AwsTrustScan {
  /** One per role whose trust policy admits at least one OIDC identity (kind `role`), in ListRoles order. */
  readonly principals: readonly ScannedPrincipal[];
  /**
   * The account's OIDC providers. A role trust without an audience condition leaves `audiences`
   * null: the provider's client IDs are then what IAM checks the token's `aud` against.
   */
  readonly providers: readonly AwsOidcProvider[];
  /** Calls that were denied, entities gone between list and read, trust policies that do not parse. */
  readonly problems: readonly ScanProblem[];
}

/** A call that failed with something other than a denial or a missing entity, after the SDK's retries. */
export class AwsTrustReadError extends Error {
  override readonly name = 'AwsTrustReadError';
}

/** As in `doctor aws`: real credentials are never signed into requests to an endpoint that is not AWS. */
const LOCAL_ENDPOINT_CREDENTIALS = { accessKeyId: 'tokentrail-local', secretAccessKey: 'tokentrail-local' };

const DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|NotAuthorized)$/;
const MISSING = /^(NoSuchEntity|NoSuchEntityException)$/;

type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: ScanProblem };

/** Denied and not-found become a problem for `scope`; anything else is thrown, named. */
async function attempt<T>(scope: string, read: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (DENIED.test(error.name) || MISSING.test(error.name) || status === 403) {
      return { ok: false, problem: { cloud: 'aws', scope, message: `${error.name}: ${error.message}` } };
    }
    const what =
      error.name === 'CredentialsProviderError'
        ? `no AWS credentials found (${error.message})`
        : `${error.name}${status === undefined ? '' : ` (HTTP ${status})`}: ${error.message}`;
    throw new AwsTrustReadError(`AWS IAM ${scope} failed: ${what}`, { cause: error });
  }
}

function clientConfig(options: AwsTrustReadOptions) {
  const credentials = options.credentials ?? (options.endpoint ? LOCAL_ENDPOINT_CREDENTIALS : undefined);
  return {
    region: options.region ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

/**
 * The account's OIDC trusts as IAM holds them now, read-only: every role's trust policy (ListRoles,
 * all pages), parsed by `federatedTrusts`, and every OIDC provider's client IDs
 * (ListOpenIDConnectProviders, GetOpenIDConnectProvider). A denied call is a problem, not a failure.
 */
export async function readAwsTrusts(options: AwsTrustReadOptions = {}): Promise<AwsTrustScan> {
  const { IAMClient, paginateListRoles, ListOpenIDConnectProvidersCommand, GetOpenIDConnectProviderCommand } =
    await import('@aws-sdk/client-iam');
  const client = new IAMClient(clientConfig(options));
  const principals: ScannedPrincipal[] = [];
  const problems: ScanProblem[] = [];
  try {
    const roles = await attempt('iam:ListRoles', async () => {
      for await (const page of paginateListRoles({ client }, {})) {
        for (const role of page.Roles ?? []) {
          if (!role.Arn) continue;
          const trusts = federatedTrusts(role.AssumeRolePolicyDocument ?? null);
          if (trusts === null) {
            problems.push({ cloud: 'aws', scope: role.Arn, message: 'trust policy does not parse' });
            continue;
          }
          if (trusts.length === 0) continue;
          principals.push({
            cloud: 'aws',
            kind: 'role',
            principal: role.Arn,
            trusts: trusts.map((named) => named.trust),
            grants: [],
            source: role.Arn,
          });
        }
      }
    });
    if (!roles.ok) problems.push(roles.problem);

    const providers: AwsOidcProvider[] = [];
    const listed = await attempt('iam:ListOpenIDConnectProviders', () =>
      client.send(new ListOpenIDConnectProvidersCommand({})),
    );
    if (!listed.ok) problems.push(listed.problem);
    else {
      for (const entry of listed.value.OpenIDConnectProviderList ?? []) {
        const arn = entry.Arn;
        if (!arn) continue;
        const read = await attempt(`iam:GetOpenIDConnectProvider ${arn}`, () =>
          client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
        );
        if (!read.ok) problems.push(read.problem);
        else providers.push({ arn, url: read.value.Url ?? '', clientIds: read.value.ClientIDList ?? [] });
      }
    }
    return { principals, providers, problems };
  } finally {
    client.destroy();
  }
}
