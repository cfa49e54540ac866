import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { FunctionRuntime } from '../../shared/adapters/runtime/function-runtime.js';
import { describeError } from '../../shared/core/errors.js';
import {
  type DeliveryResult,
  deliveryCounts,
  processDelivery,
} from '../../shared/pipeline/process-delivery.js';
import { type DecodedItem, type DecodeLimits, decodeValue } from '../../shared/sources/index.js';
import { structuredCloudEvent } from './cloud-event.js';
import type { Reply } from './framework-hooks.js';
import { type LogLine, logWriter, traceIdOf, type WriteLog } from './log-line.js';
import { type Trigger, type UnreadableBody, unreadableDelivery } from './unreadable-body.js';

/** The runtime of a warm instance (see lazyRuntime). */
export interface RuntimeHandle {
  get(): Promise<FunctionRuntime>;
}

/** Names one failure in the reply and in the log line that says what it was. */
export type NewErrorId = () => string;

/** All a 5xx reply says: the detail (a store's path, its error) stays in the function's log. */
export const NOT_STORED =
  'the delivery was not stored and will be delivered again; the function log says why';

/** A delivery that must come again; its message is safe to send to the caller. */
export class NotStoredError extends Error {
  override readonly name = 'NotStoredError';
  constructor(readonly errorId: string) {
    super(`${NOT_STORED} (error_id ${errorId})`);
  }

  get reply(): Reply {
    return { status: 500, json: { error: NOT_STORED, error_id: this.errorId } };
  }
}

const stringOrUndefined = (value: unknown) => (typeof value === 'string' ? value : undefined);
const firstHeader = (value: UnreadableBody['headers'][string]) =>
  stringOrUndefined(Array.isArray(value) ? value[0] : value);

function summaryLine(input: string, type: unknown, result: DeliveryResult): LogLine {
  const counts = deliveryCounts(result);
  const troubled = counts.quarantined > 0 || counts.alerts_failed > 0 || counts.alerts_unconfirmed > 0;
  return {
    severity: troubled ? 'WARNING' : 'INFO',
    message: `${input}: ${counts.written} written, ${counts.duplicates} duplicates, ${counts.skipped} skipped, ${counts.quarantined} quarantined, ${counts.alerts} alerts`,
    input,
    type: typeof type === 'string' ? type : null,
    ...counts,
  };
}

/** Stores one delivery's items and logs the outcome; a failure is logged in full, and thrown as an id. */
async function store(
  runtime: RuntimeHandle,
  input: string,
  type: unknown,
  items: (limits: DecodeLimits) => readonly DecodedItem[],
  log: WriteLog,
  newErrorId: NewErrorId,
): Promise<void> {
  try {
    const { delivery, limits } = await runtime.get();
    log(summaryLine(input, type, await processDelivery(delivery, input, [items(limits)])));
  } catch (error) {
    const errorId = newErrorId();
    log({
      severity: 'ERROR',
      message: `${input} was not stored and will be delivered again: ${describeError(error)}`,
      input,
      error_id: errorId,
    });
    throw new NotStoredError(errorId);
  }
}

/**
 * One Pub/Sub message or Eventarc event into the store. A malformed event is quarantined and the
 * function returns (2xx: acknowledged, never retried); a failure to start or to reach the store
 * throws NotStoredError (5xx), so Pub/Sub / Eventarc deliver it again until the dead-letter topic
 * takes it.
 */
export async function ingestCloudEvent(
  runtime: RuntimeHandle,
  trigger: Trigger,
  event: CloudEvent<unknown>,
  // The framework copies the request's traceparent into the event (binary mode: also ce-traceparent).
  log: WriteLog = logWriter(traceIdOf(stringOrUndefined(event.traceparent))),
  newErrorId: NewErrorId = randomUUID,
): Promise<void> {
  const input = `${trigger}:${event.id ?? 'no-id'}`;
  await store(
    runtime,
    input,
    event.type,
    (limits) => decodeValue(structuredCloudEvent(event), { limits }),
    log,
    newErrorId,
  );
}

/**
 * A body the framework could not make a CloudEvent of (see framework-hooks.ts): quarantined and
 * acknowledged (204), since a retry cannot fix it; 500 only when the store could not take it.
 */
export async function ingestUnreadableBody(
  runtime: RuntimeHandle,
  trigger: Trigger,
  body: UnreadableBody,
  log: WriteLog = logWriter(
    traceIdOf(
      firstHeader(body.headers.traceparent) ?? firstHeader(body.headers['ce-traceparent']),
      firstHeader(body.headers['x-cloud-trace-context']),
    ),
  ),
  newErrorId: NewErrorId = randomUUID,
): Promise<Reply> {
  const { input, type, items } = unreadableDelivery(trigger, body);
  try {
    await store(runtime, input, type, () => items, log, newErrorId);
    return { status: 204 };
  } catch (error) {
    if (error instanceof NotStoredError) return error.reply;
    throw error;
  }
}
