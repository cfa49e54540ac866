import type { CloudEvent } from '@google-cloud/functions-framework';
import type { FunctionRuntime } from '../../shared/adapters/runtime/function-runtime.js';
import { describeError } from '../../shared/core/errors.js';
import {
  type DeliveryResult,
  deliveryCounts,
  processDelivery,
} from '../../shared/pipeline/process-delivery.js';
import { decodeValue } from '../../shared/sources/index.js';
import { structuredCloudEvent } from './cloud-event.js';
import { type LogLine, type WriteLog, writeLog } from './log-line.js';

/** The runtime of a warm instance (see lazyRuntime). */
export interface RuntimeHandle {
  get(): Promise<FunctionRuntime>;
}

/** Names the input in the quarantine and the logs: `pubsub:<messageId>`, `eventarc:<CloudEvent id>`. */
export type Trigger = 'pubsub' | 'eventarc';

function summaryLine(input: string, type: unknown, result: DeliveryResult): LogLine {
  const counts = deliveryCounts(result);
  const troubled = counts.quarantined > 0 || counts.alerts_failed > 0;
  return {
    severity: troubled ? 'WARNING' : 'INFO',
    message: `${input}: ${counts.written} written, ${counts.duplicates} duplicates, ${counts.skipped} skipped, ${counts.quarantined} quarantined, ${counts.alerts} alerts`,
    input,
    type: typeof type === 'string' ? type : null,
    ...counts,
  };
}

/**
 * One Pub/Sub message or Eventarc event into the store. A malformed event is quarantined and the
 * function returns (2xx: acknowledged, never retried); a failure to start or to reach the store
 * throws (5xx), so Pub/Sub / Eventarc deliver it again until the dead-letter topic takes it.
 */
export async function ingestCloudEvent(
  runtime: RuntimeHandle,
  trigger: Trigger,
  event: CloudEvent<unknown>,
  log: WriteLog = writeLog,
): Promise<void> {
  const input = `${trigger}:${event.id ?? 'no-id'}`;
  try {
    const { delivery, limits } = await runtime.get();
    const items = decodeValue(structuredCloudEvent(event), { limits });
    log(summaryLine(input, event.type, await processDelivery(delivery, input, [items])));
  } catch (error) {
    log({
      severity: 'ERROR',
      message: `${input} was not stored and will be delivered again: ${describeError(error)}`,
      input,
    });
    throw error;
  }
}
