import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenLocally } from './local-server.js';

/**
 * A stand-in for the CloudTrail API on 127.0.0.1, enough for LookupEvents as the AWS SDK speaks it
 * (AWS JSON 1.1: `POST /`, `x-amz-target: CloudTrail_20131101.LookupEvents`, a JSON body with
 * timestamps as epoch seconds). It answers like the service: events matching the one lookup
 * attribute and the [StartTime, EndTime] window, newest first, MaxResults a page, with a NextToken
 * that is only valid with the same request parameters.
 */
export interface FakeLookupEvent {
  readonly EventId: string;
  readonly EventName: string;
  /** Epoch seconds, as the service sends it. */
  readonly EventTime: number;
  readonly EventSource?: string;
  readonly CloudTrailEvent?: string;
}

export interface RecordedLookup {
  readonly target: string | undefined;
  readonly headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  readonly body: any;
  /** The test's clock when the request arrived (for pacing checks without waiting). */
  readonly at: number;
}

/** A scripted answer instead of the service's: a status and an AWS JSON error or page. */
export interface FakeReply {
  readonly status: number;
  readonly body: unknown;
}

export interface FakeCloudTrail {
  readonly url: string;
  readonly requests: RecordedLookup[];
  close(): Promise<void>;
}

export interface FakeCloudTrailOptions {
  /** Read when a request arrives; defaults to Date.now. */
  readonly clock?: () => number;
  /** Called per request (0-based); an answer here replaces the service's. */
  readonly script?: (request: RecordedLookup, index: number) => FakeReply | undefined;
}

/** A record as LookupEvents returns it: the record itself as JSON text in CloudTrailEvent. */
export function lookupEventOf(record: {
  readonly eventID: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly eventSource?: string;
}): FakeLookupEvent {
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    EventTime: Date.parse(record.eventTime) / 1000,
    EventSource: record.eventSource ?? 'sts.amazonaws.com',
    CloudTrailEvent: JSON.stringify(record),
  };
}

export const AWS_ERROR = (type: string, message: string, status = 400): FakeReply => ({
  status,
  body: { __type: `com.amazonaws.cloudtrail.v20131101#${type}`, message },
});

function paramsKey(body: Record<string, unknown>): string {
  const { NextToken: _token, ...rest } = body;
  return JSON.stringify(rest);
}

export async function startFakeCloudTrail(
  events: readonly FakeLookupEvent[],
  options: FakeCloudTrailOptions = {},
): Promise<FakeCloudTrail> {
  const requests: RecordedLookup[] = [];
  const clock = options.clock ?? Date.now;
  const newestFirst = [...events].sort((a, b) => b.EventTime - a.EventTime);

  const answer = (body: Record<string, unknown>): FakeReply => {
    const attributes = (body.LookupAttributes ?? []) as { AttributeKey: string; AttributeValue: string }[];
    if (attributes.length > 1) {
      return AWS_ERROR(
        'InvalidLookupAttributesException',
        'You cannot specify more than one lookup attribute.',
      );
    }
    const name = attributes[0]?.AttributeKey === 'EventName' ? attributes[0].AttributeValue : undefined;
    const start = typeof body.StartTime === 'number' ? body.StartTime : Number.NEGATIVE_INFINITY;
    const end = typeof body.EndTime === 'number' ? body.EndTime : Number.POSITIVE_INFINITY;
    const matching = newestFirst.filter(
      (event) =>
        (name === undefined || event.EventName === name) &&
        event.EventTime >= start &&
        event.EventTime <= end,
    );
    let offset = 0;
    if (typeof body.NextToken === 'string') {
      const token = JSON.parse(Buffer.from(body.NextToken, 'base64url').toString('utf8')) as {
        offset: number;
        params: string;
      };
      if (token.params !== paramsKey(body)) {
        return AWS_ERROR('InvalidNextTokenException', 'Invalid NextToken: the request parameters changed.');
      }
      offset = token.offset;
    }
    const size = typeof body.MaxResults === 'number' ? body.MaxResults : 50;
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? offset + size : null;
    return {
      status: 200,
      body: {
        Events: page,
        ...(next === null
          ? {}
          : {
              NextToken: Buffer.from(JSON.stringify({ offset: next, params: paramsKey(body) })).toString(
                'base64url',
              ),
            }),
      },
    };
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const target = request.headers['x-amz-target'] as string | undefined;
      const recorded: RecordedLookup = { target, headers: request.headers, body, at: clock() };
      requests.push(recorded);
      const reply =
        options.script?.(recorded, requests.length - 1) ??
        (target === 'CloudTrail_20131101.LookupEvents'
          ? answer(body)
          : AWS_ERROR('UnknownOperationException', `unsupported target ${target}`));
      response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(reply.body));
    });
  });
  const local = await listenLocally(server);
  return {
    url: local.url,
    requests,
    close: local.close,
  };
}
