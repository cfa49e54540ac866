import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in on 127.0.0.1 for the IAM reads `tokentrail trust scan` makes. IAM speaks the AWS query
 * protocol: `POST /` with a form body `Action=ListRoles&Version=2010-05-08&…`, answered with XML
 * shaped as in the IAM API reference (ListRoles, ListOpenIDConnectProviders,
 * GetOpenIDConnectProvider); errors are `<ErrorResponse><Error><Code>` with the HTTP status given.
 * ListRoles pages by `Marker`, `pageSize` roles a page. Every request is recorded.
 */
export interface FakeIamError {
  readonly iamError: string;
  readonly status: number;
  readonly message: string;
}

export function iamError(code: string, status: number, message: string): FakeIamError {
  return { iamError: code, status, message };
}

export interface FakeIamRole {
  readonly RoleName: string;
  readonly Arn: string;
  /** As IAM returns it: URL-encoded JSON (or plain, to see that both are read). */
  readonly AssumeRolePolicyDocument?: string;
}

export interface FakeIamProvider {
  readonly Arn: string;
  readonly Url: string;
  readonly ClientIDList: readonly string[];
}

export interface FakeIamState {
  roles?: readonly FakeIamRole[];
  /** Roles per ListRoles page; default all on one page. */
  pageSize?: number;
  /** Answered to ListRoles instead of roles; `afterPages` lets that many pages through first. */
  listRolesError?: FakeIamError & { readonly afterPages?: number };
  providers?: readonly FakeIamProvider[];
  listProvidersError?: FakeIamError;
  /** Provider ARN -> error answered to its GetOpenIDConnectProvider. */
  providerErrors?: Readonly<Record<string, FakeIamError>>;
}

export interface IamRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The form body's fields. */
  readonly params: Readonly<Record<string, string>>;
}

export interface FakeIamServer {
  readonly url: string;
  readonly requests: readonly IamRequest[];
  state: FakeIamState;
  close(): Promise<void>;
}

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function respond(action: string, result: string): string {
  return `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></${action}Response>`;
}

type Answer = { readonly status: number; readonly body: string };

function failure(error: FakeIamError): Answer {
  return {
    status: error.status,
    body: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${error.iamError}</Code><Message>${xmlText(error.message)}</Message></Error><RequestId>4a9e3f1b-EXAMPLE</RequestId></ErrorResponse>`,
  };
}

function roleXml(role: FakeIamRole): string {
  const policy =
    role.AssumeRolePolicyDocument === undefined
      ? ''
      : `<AssumeRolePolicyDocument>${xmlText(role.AssumeRolePolicyDocument)}</AssumeRolePolicyDocument>`;
  return `<member><Path>/</Path><Arn>${xmlText(role.Arn)}</Arn><RoleName>${xmlText(role.RoleName)}</RoleName>${policy}<CreateDate>2025-05-09T15:45:35Z</CreateDate><RoleId>AROA${role.RoleName.length}EXAMPLE</RoleId><MaxSessionDuration>3600</MaxSessionDuration></member>`;
}

function answer(state: FakeIamState, params: Readonly<Record<string, string>>): Answer {
  switch (params.Action) {
    case 'ListRoles': {
      const roles = state.roles ?? [];
      const size = state.pageSize ?? Math.max(roles.length, 1);
      const start = params.Marker === undefined ? 0 : Number(params.Marker.replace(/^page-/, ''));
      const error = state.listRolesError;
      if (error && start / size >= (error.afterPages ?? 0)) return failure(error);
      const page = roles.slice(start, start + size);
      const next = start + size < roles.length ? `page-${start + size}` : null;
      return {
        status: 200,
        body: respond(
          'ListRoles',
          `<IsTruncated>${next !== null}</IsTruncated>${next === null ? '' : `<Marker>${next}</Marker>`}<Roles>${page.map(roleXml).join('')}</Roles>`,
        ),
      };
    }
    case 'ListOpenIDConnectProviders': {
      if (state.listProvidersError) return failure(state.listProvidersError);
      const members = (state.providers ?? [])
        .map((provider) => `<member><Arn>${xmlText(provider.Arn)}</Arn></member>`)
        .join('');
      return {
        status: 200,
        body: respond(
          'ListOpenIDConnectProviders',
          `<OpenIDConnectProviderList>${members}</OpenIDConnectProviderList>`,
        ),
      };
    }
    case 'GetOpenIDConnectProvider': {
      const arn = params.OpenIDConnectProviderArn ?? '';
      const error = state.providerErrors?.[arn];
      if (error) return failure(error);
      const provider = state.providers?.find((candidate) => candidate.Arn === arn);
      if (!provider) {
        return failure(iamError('NoSuchEntity', 404, `OpenIDConnect Provider not found for arn ${arn}`));
      }
      const clientIds = provider.ClientIDList.map((id) => `<member>${xmlText(id)}</member>`).join('');
      return {
        status: 200,
        body: respond(
          'GetOpenIDConnectProvider',
          `<ThumbprintList><member>c3768084dfb3d2b68b7897bf5f565da8eEXAMPLE</member></ThumbprintList><CreateDate>2024-10-09T03:32:51.398Z</CreateDate><ClientIDList>${clientIds}</ClientIDList><Url>${xmlText(provider.Url)}</Url>`,
        ),
      };
    }
    default:
      return failure(iamError('InvalidAction', 400, `no fake for ${params.Action}`));
  }
}

export async function startFakeIam(initial: FakeIamState): Promise<FakeIamServer> {
  const requests: IamRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      requests.push({
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        params,
      });
      const { status, body } = answer(fake.state, params);
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(body);
    });
  });
  const local = await listenLocally(server);
  const fake: FakeIamServer = { url: local.url, requests, state: initial, close: local.close };
  return fake;
}
