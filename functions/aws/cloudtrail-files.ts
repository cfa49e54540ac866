import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FunctionRuntime } from '../../shared/adapters/runtime/function-runtime.js';
import { type S3Objects, s3Objects } from '../../shared/adapters/s3/s3-objects.js';
import { describeError } from '../../shared/core/errors.js';
import {
  type DeliveryCounts,
  deliveryCounts,
  processDelivery,
} from '../../shared/pipeline/process-delivery.js';
import { type DecodedItem, decodeStream } from '../../shared/sources/index.js';
import {
  parseQueueMessage,
  type S3ObjectRef,
  type SkippedObject,
  s3Input,
} from '../../shared/sources/s3-notification.js';
import { type LambdaContext, logger, logInvocation, startInvocation } from './lambda-logger.js';
import { lambdaRuntime } from './lambda-runtime.js';

const objectsOf = new WeakMap<FunctionRuntime, S3Objects>();

/** S3 as this function reads it: the Lambda's own credentials, the configured endpoint; one per runtime. */
function s3Of(runtime: FunctionRuntime): S3Objects {
  let objects = objectsOf.get(runtime);
  if (objects === undefined) {
    objects = s3Objects(runtime.env, { endpoint: runtime.config.s3Endpoint ?? undefined });
    objectsOf.set(runtime, objects);
  }
  return objects;
}

type ObjectReport = S3ObjectRef & DeliveryCounts;

export interface MessageReport {
  readonly message_id: string;
  /** ok: every object read; skipped: nothing to read; quarantined: a body we cannot use; failed: retried. */
  readonly outcome: 'ok' | 'skipped' | 'quarantined' | 'failed';
  readonly objects?: readonly ObjectReport[];
  readonly skipped?: readonly SkippedObject[];
  /** Why a message was skipped or quarantined. */
  readonly reason?: string;
  readonly error?: string;
}

async function readObject(runtime: FunctionRuntime, ref: S3ObjectRef): Promise<ObjectReport> {
  const body = await s3Of(runtime).open(ref);
  try {
    const result = await processDelivery(runtime.delivery, s3Input(ref), decodeStream(body, runtime.limits));
    return { ...ref, ...deliveryCounts(result) };
  } finally {
    body.destroy();
  }
}

/** A body that is no notification at all is kept in the quarantine table and acknowledged. */
async function quarantineBody(
  runtime: FunctionRuntime,
  message: SQSRecord,
  code: 'invalid_json' | 'invalid_envelope',
  reason: string,
): Promise<void> {
  const reject: DecodedItem = {
    type: 'reject',
    code,
    message: `SQS message: ${reason}`,
    raw: message.body,
    delivery: 'plain',
    position: { value: 0, path: '', offset: 0 },
  };
  await processDelivery(runtime.delivery, `sqs:${message.messageId}`, [[reject]]);
}

/** A message's line: its id as `correlation_id`, the objects it named, and what became of it. */
function logMessage(report: MessageReport): void {
  const keys = { correlation_id: report.message_id, ...report };
  if (report.outcome === 'failed') logger.error('sqs message', keys);
  else if (report.outcome === 'quarantined') logger.warn('sqs message', keys);
  else logger.info('sqs message', keys);
}

/** Throws when the message should come back (the batch processor reports it); logs it either way. */
async function handleMessage(runtime: FunctionRuntime, message: SQSRecord): Promise<MessageReport> {
  const message_id = message.messageId;
  let report: MessageReport;
  try {
    report = await readMessage(runtime, message);
  } catch (error) {
    logMessage({ message_id, outcome: 'failed', error: describeError(error) });
    throw error;
  }
  logMessage(report);
  return report;
}

async function readMessage(runtime: FunctionRuntime, message: SQSRecord): Promise<MessageReport> {
  const message_id = message.messageId;
  const parsed = parseQueueMessage(message.body);
  if (parsed.kind === 'test_event') return { message_id, outcome: 'skipped', reason: 's3:TestEvent' };
  if (parsed.kind === 'invalid') {
    await quarantineBody(runtime, message, parsed.code, parsed.message);
    return { message_id, outcome: 'quarantined', reason: parsed.message };
  }
  const reports: ObjectReport[] = [];
  for (const ref of parsed.objects) reports.push(await readObject(runtime, ref));
  return {
    message_id,
    outcome: reports.length > 0 ? 'ok' : 'skipped',
    objects: reports,
    ...(parsed.skipped.length > 0 ? { skipped: parsed.skipped } : {}),
  };
}

const processor = new BatchProcessor(EventType.SQS);

/**
 * SQS queue fed by the trail bucket's ObjectCreated notifications: each message names CloudTrail
 * log files, each file is streamed from S3 through the gzip decoder into the store. A message
 * whose processing throws (object missing, access denied, store down) is reported in
 * `batchItemFailures` (Powertools' batch processor) and comes back after the visibility timeout,
 * then goes to the queue's dead-letter queue; the others are deleted. Records that are merely
 * malformed are quarantined and their message acknowledged: a retry would not fix them.
 */
export async function handler(event: SQSEvent, context?: LambdaContext): Promise<SQSBatchResponse> {
  const started = performance.now();
  startInvocation(context);
  let runtime: FunctionRuntime;
  try {
    runtime = await lambdaRuntime.get();
  } catch (error) {
    // Without configuration or a store nothing in the batch can succeed: let all of it return.
    logInvocation({ trigger: 'sqs', outcome: 'failed', error: describeError(error) });
    throw error;
  }
  const response = await processPartialResponse(
    event,
    (message: SQSRecord) => handleMessage(runtime, message),
    processor,
    {
      // One message at a time: each streams its objects into the store within the function's memory.
      processInParallel: false,
      // A batch whose every message failed is reported like any other, each message returning.
      throwOnFullBatchFailure: false,
    },
  );
  const failed = response.batchItemFailures.length;
  logInvocation({
    trigger: 'sqs',
    outcome: failed > 0 ? 'partial' : 'ok',
    received: event.Records.length,
    failed,
    ms: Math.round(performance.now() - started),
  });
  return response;
}
