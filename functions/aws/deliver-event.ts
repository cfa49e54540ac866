import { describeError } from '../../shared/core/errors.js';
import {
  type DeliveryCounts,
  deliveryCounts,
  processDelivery,
} from '../../shared/pipeline/process-delivery.js';
import { decodeValue } from '../../shared/sources/index.js';
import { type LambdaContext, logInvocation, startInvocation } from './lambda-logger.js';
import { lambdaRuntime } from './lambda-runtime.js';

export type EventSummary = DeliveryCounts & {
  readonly trigger: string;
  readonly input: string;
  readonly outcome: 'ok';
  readonly ms: number;
};

export interface Delivery {
  readonly trigger: string;
  /** How the store's quarantine names the delivery. */
  readonly input: string;
  /** The delivery's own id (an EventBridge event id), logged as `correlation_id`. */
  readonly id?: string;
}

/**
 * Ingests one event that arrives as a parsed object (EventBridge, CloudWatch Logs): decoded by
 * shared/sources, stored and checked by processDelivery. Malformed records are quarantined and the
 * invocation succeeds; a store failure throws, so Lambda retries the async invocation and then
 * hands it to the on-failure destination.
 */
export async function deliverEvent(
  { trigger, input, id }: Delivery,
  event: unknown,
  context: LambdaContext | undefined,
): Promise<EventSummary> {
  const started = performance.now();
  startInvocation(context, id);
  try {
    const runtime = await lambdaRuntime.get();
    const items = decodeValue(event, { limits: runtime.limits });
    const result = await processDelivery(runtime.delivery, input, [items]);
    const summary: EventSummary = {
      trigger,
      input,
      outcome: 'ok',
      ...deliveryCounts(result),
      ms: Math.round(performance.now() - started),
    };
    logInvocation(summary);
    return summary;
  } catch (error) {
    logInvocation({
      trigger,
      input,
      outcome: 'failed',
      error: describeError(error),
      ms: Math.round(performance.now() - started),
    });
    throw error;
  }
}
