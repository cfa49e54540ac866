import type { Event as CloudTrailLookupEvent } from '@aws-sdk/client-cloudtrail';
import { timestampOf } from '../../core/time/timestamp.js';
import { decodeValue } from '../../sources/decode-value.js';
import type { DecodedItem, Position } from '../../sources/decoded-item.js';
import type { DecodeLimits } from '../../sources/limits.js';
import type { BackfillPage, PageSource } from './backfill-run.js';
import type { RequestPacer } from './request-pacer.js';

/** The one event LookupEvents can give us: S3 data events are never in it, and it takes one attribute per call. */
export const LOOKUP_EVENT_NAME = 'AssumeRoleWithWebIdentity';
/** LookupEvents' limit: 2 requests per second per account and region. */
export const LOOKUP_EVENTS_PER_SECOND = 2;
/** The most LookupEvents returns in one page. */
export const LOOKUP_PAGE_SIZE = 50;
/** LookupEvents covers the last 90 days of management events. */
export const LOOKUP_RETENTION_DAYS = 90;

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface CloudTrailLookupOptions {
  readonly region: string;
  /** Another API root (a test server); credentials still come from the default chain unless given. */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
  /** SDK attempts per request, the first included (the SDK retries throttling and 5xx). */
  readonly maxAttempts?: number;
  /** Shared by every request to this account and region, retries included. */
  readonly pacer: RequestPacer;
  readonly limits: DecodeLimits;
}

export function cloudTrailSource(region: string): string {
  return `aws:cloudtrail:${region}:${LOOKUP_EVENT_NAME}`;
}

/**
 * One LookupEvents event as decoded items. `CloudTrailEvent` is the whole record as a JSON string;
 * one that does not parse is quarantined with its text, under the event's id.
 */
export function lookupEventItems(event: CloudTrailLookupEvent, limits: DecodeLimits): DecodedItem[] {
  const position: Position = { value: 0, path: `/EventId/${event.EventId ?? ''}`, offset: 0 };
  const reject = (code: 'invalid_json' | 'invalid_envelope', message: string, raw: string): DecodedItem[] => [
    { type: 'reject', code, message, raw, delivery: 'plain', position },
  ];
  const text = event.CloudTrailEvent;
  if (typeof text !== 'string') {
    return reject('invalid_envelope', 'a LookupEvents event without CloudTrailEvent', JSON.stringify(event));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return reject('invalid_json', `CloudTrailEvent is not JSON: ${(error as Error).message}`, text);
  }
  return decodeValue(value, { limits, position });
}

function pageOf(events: readonly CloudTrailLookupEvent[], input: string, limits: DecodeLimits): BackfillPage {
  let oldest: Date | null = null;
  for (const event of events) {
    if (event.EventTime && (oldest === null || event.EventTime < oldest)) oldest = event.EventTime;
  }
  return {
    input,
    items: events.flatMap((event) => lookupEventItems(event, limits)),
    events: events.length,
    reached: oldest === null ? null : timestampOf(oldest),
  };
}

export class CloudTrailLookupError extends Error {
  override readonly name = 'CloudTrailLookupError';
}

/** The SDK's error with what to do about the common ones. */
function explained(error: unknown, region: string): Error {
  if (!(error instanceof Error)) return new CloudTrailLookupError(String(error));
  if (error.name === 'CredentialsProviderError') {
    return new CloudTrailLookupError(
      `${error.message} (no AWS credentials: use aws configure, aws sso login, AWS_PROFILE or the AWS_* variables)`,
    );
  }
  if (error.name === 'AccessDeniedException' || error.name === 'UnrecognizedClientException') {
    return new CloudTrailLookupError(
      `${error.message} (the caller needs cloudtrail:LookupEvents in ${region})`,
    );
  }
  return error;
}

/**
 * AssumeRoleWithWebIdentity events of one region through CloudTrail LookupEvents, newest first, 50
 * a page, paced under the API's limit. Resuming asks for [since, reached] again: a NextToken is
 * tied to the exact request that made it and is not documented to outlive it, while an event time
 * always works (see BackfillCheckpoint).
 */
export function cloudTrailPages(options: CloudTrailLookupOptions): PageSource {
  const input = `cloudtrail-lookup-events:${options.region}`;
  return async function* lookupEventPages(window, reached) {
    // Loaded here: the SDK takes a while to import and most commands never need it.
    const { CloudTrailClient, paginateLookupEvents } = await import('@aws-sdk/client-cloudtrail');
    const client = new CloudTrailClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    });
    // Inside the retry middleware (finalizeRequest, low priority), so every attempt waits its turn.
    client.middlewareStack.add(
      (next) => async (args) => {
        await options.pacer.take();
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tokentrailRequestPacer' },
    );
    try {
      const pages = paginateLookupEvents(
        { client, pageSize: LOOKUP_PAGE_SIZE },
        {
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: LOOKUP_EVENT_NAME }],
          StartTime: new Date(window.since),
          EndTime: new Date(reached ?? window.until),
        },
      );
      for await (const page of pages) yield pageOf(page.Events ?? [], input, options.limits);
    } catch (error) {
      throw explained(error, options.region);
    } finally {
      client.destroy();
    }
  };
}
