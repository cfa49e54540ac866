import type { EventBridgeEvent } from 'aws-lambda';
import { deliverEvent, type EventSummary } from './deliver-event.js';

/**
 * EventBridge rule target: one `AWS API Call via CloudTrail` event (an STS
 * AssumeRoleWithWebIdentity) per invocation, delivered asynchronously.
 */
export function handler(event: EventBridgeEvent<string, unknown>): Promise<EventSummary> {
  return deliverEvent('eventbridge', `eventbridge:${event?.id ?? 'unknown'}`, event);
}
