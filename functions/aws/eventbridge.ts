import type { EventBridgeEvent } from 'aws-lambda';
import { deliverEvent, type EventSummary } from './deliver-event.js';
import type { LambdaContext } from './lambda-logger.js';

/**
 * EventBridge rule target: one `AWS API Call via CloudTrail` event (an STS
 * AssumeRoleWithWebIdentity) per invocation, delivered asynchronously.
 */
export function handler(
  event: EventBridgeEvent<string, unknown>,
  context?: LambdaContext,
): Promise<EventSummary> {
  const id = event?.id ?? 'unknown';
  return deliverEvent({ trigger: 'eventbridge', input: `eventbridge:${id}`, id }, event, context);
}
