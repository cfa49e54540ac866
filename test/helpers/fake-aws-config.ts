import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in on 127.0.0.1 for the CloudTrail and EventBridge calls `tokentrail doctor` makes. Both
 * speak AWS JSON 1.1: `POST /` with `X-Amz-Target: CloudTrail_20131101.<Operation>` (what SDK v3
 * sends; the API reference also shows `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.
 * <Operation>`, accepted too) or `AWSEvents.<Operation>`; errors are HTTP 400 with `__type`.
 * Answers come from the state given; every request is recorded.
 */
export interface FakeAwsError {
  readonly awsError: string;
  readonly message: string;
}

export function awsError(awsError: string, message: string): FakeAwsError {
  return { awsError, message };
}

export interface FakeTrail {
  /** A DescribeTrails entry: Name, TrailARN, HomeRegion, IsMultiRegionTrail, ... */
  readonly description: Readonly<Record<string, unknown>>;
  /** GetTrailStatus answer, or an error. */
  readonly status: unknown;
  /** GetEventSelectors answer, or an error. */
  readonly selectors: unknown;
}

export interface FakeAwsState {
  trails?: readonly FakeTrail[];
  describeTrailsError?: FakeAwsError;
  /** Rules as DescribeRule returns them (Name, EventPattern, State, ...). */
  rules?: readonly Readonly<Record<string, unknown>>[];
  rulesError?: FakeAwsError;
}

export interface AwsRequest {
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  readonly body: any;
}

export interface FakeAwsServer {
  readonly url: string;
  readonly requests: readonly AwsRequest[];
  /** Replace what the fake answers from now on. */
  state: FakeAwsState;
  close(): Promise<void>;
}

const CLOUDTRAIL = 'CloudTrail_20131101.';
const CLOUDTRAIL_LONG_PREFIX = 'com.amazonaws.cloudtrail.v20131101.';
const EVENTS = 'AWSEvents.';

type Answer = { readonly status: number; readonly body: unknown };

function isError(value: unknown): value is FakeAwsError {
  return typeof value === 'object' && value !== null && 'awsError' in value;
}

function reply(value: unknown): Answer {
  if (isError(value)) return { status: 400, body: { __type: value.awsError, message: value.message } };
  return { status: 200, body: value };
}

function findTrail(state: FakeAwsState, id: unknown): FakeTrail | undefined {
  return state.trails?.find((trail) => trail.description.TrailARN === id || trail.description.Name === id);
}

const TRAIL_NOT_FOUND = awsError('TrailNotFoundException', 'Unknown trail for this account.');

function answer(state: FakeAwsState, fullTarget: string, body: Record<string, unknown>): Answer {
  const target = fullTarget.startsWith(CLOUDTRAIL_LONG_PREFIX)
    ? fullTarget.slice(CLOUDTRAIL_LONG_PREFIX.length)
    : fullTarget;
  switch (target) {
    case `${CLOUDTRAIL}DescribeTrails`: {
      if (state.describeTrailsError) return reply(state.describeTrailsError);
      const names = body.trailNameList as string[] | undefined;
      const trails = (state.trails ?? []).filter(
        (trail) =>
          !names ||
          names.includes(String(trail.description.Name)) ||
          names.includes(String(trail.description.TrailARN)),
      );
      return reply({ trailList: trails.map((trail) => trail.description) });
    }
    case `${CLOUDTRAIL}GetTrailStatus`:
      return reply(findTrail(state, body.Name)?.status ?? TRAIL_NOT_FOUND);
    case `${CLOUDTRAIL}GetEventSelectors`:
      return reply(findTrail(state, body.TrailName)?.selectors ?? TRAIL_NOT_FOUND);
    case `${EVENTS}DescribeRule`: {
      if (state.rulesError) return reply(state.rulesError);
      const rule = state.rules?.find((candidate) => candidate.Name === body.Name);
      return reply(
        rule ?? awsError('ResourceNotFoundException', `Rule ${String(body.Name)} does not exist.`),
      );
    }
    case `${EVENTS}ListRules`: {
      if (state.rulesError) return reply(state.rulesError);
      const prefix = String(body.NamePrefix ?? '');
      return reply({ Rules: (state.rules ?? []).filter((rule) => String(rule.Name).startsWith(prefix)) });
    }
    default:
      return reply(awsError('UnknownOperationException', `no fake for ${target}`));
  }
}

export async function startFakeAwsConfig(initial: FakeAwsState): Promise<FakeAwsServer> {
  const requests: AwsRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const target = String(incoming.headers['x-amz-target'] ?? '');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      requests.push({ target, headers: incoming.headers, body });
      const { status, body: out } =
        incoming.method === 'POST' && incoming.url === '/'
          ? answer(fake.state, target, body)
          : { status: 404, body: { message: 'no such route' } };
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(out));
    });
  });
  const local = await listenLocally(server);
  const fake: FakeAwsServer = {
    url: local.url,
    requests,
    state: initial,
    close: local.close,
  };
  return fake;
}
