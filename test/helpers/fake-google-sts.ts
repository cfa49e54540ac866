import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * Stand-ins on 127.0.0.1 for the two Google endpoints of AWS workload identity federation, served
 * from one port so one root can replace both https://sts.googleapis.com and
 * https://iamcredentials.googleapis.com in a credential config:
 * - Google STS `POST /v1/token` (RFC 8693 token exchange, form encoded). The subject token is the
 *   URL-encoded JSON of a SigV4-signed AWS STS GetCallerIdentity request. Real Google STS sends it
 *   on to AWS, which checks the signature and answers with the caller's ARN; here the fake checks
 *   the signature itself against the AWS credentials it is given, then applies the provider's
 *   attribute condition (the role names it admits) to the assumed-role ARN.
 * - IAM Credentials `POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`, which takes
 *   the STS token as a Bearer token and answers with a token of the service account, if the
 *   federated principal holds roles/iam.workloadIdentityUser on it (the roles granted here).
 * Errors come in each service's real format: STS `{error, error_description}` (400), IAM
 * credentials `{error:{code,message,status}}`.
 */

export interface FakeAwsSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** What GetCallerIdentity would answer for these credentials: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  readonly arn: string;
}

export interface FakeGoogleFederationOptions {
  /** `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/Q` */
  readonly audience: string;
  /** The AWS sessions whose signatures verify (stands in for AWS STS). */
  readonly awsSessions: readonly FakeAwsSession[];
  /** The provider's attribute condition: `attribute.aws_role in [...]`. */
  readonly admittedRoles: readonly string[];
  readonly serviceAccount: string;
  /** Roles whose `principalSet://…/attribute.aws_role/ROLE` holds workloadIdentityUser on the account. */
  readonly workloadIdentityUsers: readonly string[];
}

export interface SignedRequest {
  readonly url: string;
  readonly method: string;
  /** Header names as the library sent them (lower case), in order. */
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

export interface StsExchange {
  readonly form: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The decoded subject token, or null when it was not the JSON of a request. */
  readonly signedRequest: SignedRequest | null;
  /** The token issued, or the error answered. */
  readonly outcome: { readonly accessToken: string } | { readonly error: string };
}

export interface ImpersonationCall {
  readonly serviceAccount: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { readonly scope?: readonly string[]; readonly lifetime?: string };
  readonly outcome: { readonly accessToken: string } | { readonly error: string };
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const AWS_SUBJECT_TOKEN_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
const IMPERSONATE = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/;
/** AWS refuses a signature whose x-amz-date is further than this from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` -> ROLE, as `assertion.arn.extract('assumed-role/{role}/')` does. */
export function awsRoleOf(arn: string): string | null {
  return /assumed-role\/([^/]+)\//.exec(arn)?.[1] ?? null;
}

function hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * Checks a SigV4 signature the way AWS does for a body-less request, written from the AWS
 * documentation rather than from google-auth-library's signer. Returns the signing session, or
 * why the request does not verify.
 */
export function verifySigV4(
  request: SignedRequest,
  sessions: readonly FakeAwsSession[],
  now: Date,
): { readonly session: FakeAwsSession } | { readonly problem: string } {
  const header = (name: string) => request.headers.find((entry) => entry.key.toLowerCase() === name)?.value;
  const authorization = header('authorization') ?? '';
  const parts =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (parts === null) return { problem: `not a SigV4 Authorization header: ${authorization}` };
  const [, accessKeyId, dateStamp, region, service, signedHeaders, signature] = parts as unknown as string[];
  const session = sessions.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (session === undefined) return { problem: `InvalidClientTokenId: unknown access key ${accessKeyId}` };
  const amzDate = header('x-amz-date') ?? '';
  const signedAt = Date.parse(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (!amzDate.startsWith(dateStamp!) || Math.abs(now.getTime() - signedAt) > MAX_CLOCK_SKEW_MS) {
    return { problem: `SignatureDoesNotMatch: x-amz-date ${amzDate} is not within 15 minutes of now` };
  }
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) {
    return { problem: `SignatureDoesNotMatch: host and x-amz-date must be signed (${signedHeaders})` };
  }
  if (session.sessionToken !== header('x-amz-security-token') || !names.includes('x-amz-security-token')) {
    return { problem: 'InvalidClientTokenId: the session token is missing, unsigned or not of this key' };
  }
  const url = new URL(request.url);
  const canonicalQuery = [...url.searchParams]
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .sort()
    .join('&');
  const canonicalHeaders = names.map((name) => `${name}:${(header(name) ?? '').trim()}\n`).join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    url.pathname,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    hex(''),
  ].join('\n');
  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const dateKey = hmac(`AWS4${session.secretAccessKey}`, dateStamp!);
  const signingKey = hmac(hmac(hmac(dateKey, region!), service!), 'aws4_request');
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex'))) {
    return { problem: 'SignatureDoesNotMatch: the signature does not verify with the secret of this key' };
  }
  return { session };
}

function decodeSubjectToken(token: string): SignedRequest | null {
  try {
    const parsed = JSON.parse(decodeURIComponent(token)) as SignedRequest;
    return typeof parsed.url === 'string' && Array.isArray(parsed.headers) ? parsed : null;
  } catch {
    return null;
  }
}

type Answer = { readonly status: number; readonly body: unknown };

export class FakeGoogleFederation {
  readonly exchanges: StsExchange[] = [];
  readonly impersonations: ImpersonationCall[] = [];
  /** STS token -> the assumed-role ARN it was issued to. */
  private readonly federatedTokens = new Map<string, string>();
  private issued = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly options: FakeGoogleFederationOptions,
  ) {}

  static async start(options: FakeGoogleFederationOptions): Promise<FakeGoogleFederation> {
    let fake: FakeGoogleFederation | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = new URL(request.url ?? '/', 'http://fake').pathname;
        const answer =
          request.method !== 'POST'
            ? { status: 405, body: { error: 'method_not_allowed' } }
            : path === '/v1/token'
              ? fake!.exchange(request.headers, body)
              : IMPERSONATE.test(path)
                ? fake!.impersonate(IMPERSONATE.exec(path)![1]!, request.headers, body)
                : {
                    status: 404,
                    body: { error: { code: 404, message: `no route ${path}`, status: 'NOT_FOUND' } },
                  };
        response.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(answer.body));
      });
    });
    const local = await listenLocally(server);
    fake = new FakeGoogleFederation(server, local.url, options);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private exchange(headers: IncomingHttpHeaders, body: string): Answer {
    const form = Object.fromEntries(new URLSearchParams(body));
    const signedRequest = decodeSubjectToken(form.subject_token ?? '');
    const refuse = (error: string, description: string): Answer => {
      this.exchanges.push({ form, headers, signedRequest, outcome: { error: `${error}: ${description}` } });
      return { status: 400, body: { error, error_description: description } };
    };
    if (!String(headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return refuse('invalid_request', 'the body must be form encoded');
    }
    if (form.grant_type !== TOKEN_EXCHANGE)
      return refuse('unsupported_grant_type', `grant_type ${form.grant_type}`);
    if (form.requested_token_type !== ACCESS_TOKEN_TYPE) {
      return refuse('invalid_request', `requested_token_type ${form.requested_token_type}`);
    }
    if (form.subject_token_type !== AWS_SUBJECT_TOKEN_TYPE) {
      return refuse('invalid_request', `subject_token_type ${form.subject_token_type} is not an AWS one`);
    }
    if (form.audience !== this.options.audience) {
      return refuse(
        'invalid_target',
        `The target service indicated by the "audience" parameter is invalid: ${form.audience}`,
      );
    }
    if (signedRequest === null)
      return refuse('invalid_grant', 'the subject token is not a serialized AWS request');
    const target = signedRequest.headers.find((entry) => entry.key === 'x-goog-cloud-target-resource')?.value;
    if (target !== this.options.audience) {
      return refuse('invalid_grant', `x-goog-cloud-target-resource ${target} is not the audience`);
    }
    const url = new URL(signedRequest.url);
    if (
      signedRequest.method !== 'POST' ||
      !/^sts\.[a-z0-9-]+\.amazonaws\.com$/.test(url.host) ||
      url.searchParams.get('Action') !== 'GetCallerIdentity'
    ) {
      return refuse(
        'invalid_grant',
        `the subject token is not a GetCallerIdentity request: ${signedRequest.method} ${signedRequest.url}`,
      );
    }
    const verified = verifySigV4(signedRequest, this.options.awsSessions, new Date());
    if ('problem' in verified)
      return refuse('invalid_grant', `AWS refused the signed request: ${verified.problem}`);
    const { arn } = verified.session;
    const role = awsRoleOf(arn);
    if (role === null || !this.options.admittedRoles.includes(role)) {
      return refuse('unauthorized_client', 'The given credential is rejected by the attribute condition.');
    }
    this.issued += 1;
    const accessToken = `federated-sts-token-${this.issued}`;
    this.federatedTokens.set(accessToken, arn);
    this.exchanges.push({ form, headers, signedRequest, outcome: { accessToken } });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: 3600,
      },
    };
  }

  private impersonate(serviceAccount: string, headers: IncomingHttpHeaders, text: string): Answer {
    const body = (text === '' ? {} : JSON.parse(text)) as ImpersonationCall['body'];
    const refuse = (status: number, state: string, message: string): Answer => {
      this.impersonations.push({ serviceAccount, headers, body, outcome: { error: message } });
      return { status, body: { error: { code: status, message, status: state } } };
    };
    const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    const arn = bearer === undefined ? undefined : this.federatedTokens.get(bearer);
    if (arn === undefined) {
      return refuse(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    const role = awsRoleOf(arn);
    if (
      serviceAccount !== this.options.serviceAccount ||
      role === null ||
      !this.options.workloadIdentityUsers.includes(role)
    ) {
      return refuse(
        403,
        'PERMISSION_DENIED',
        "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
      );
    }
    this.issued += 1;
    const accessToken = `ya29.impersonated-${serviceAccount.split('@')[0]}-${this.issued}`;
    this.impersonations.push({ serviceAccount, headers, body, outcome: { accessToken } });
    return { status: 200, body: { accessToken, expireTime: new Date(Date.now() + 3600_000).toISOString() } };
  }
}
