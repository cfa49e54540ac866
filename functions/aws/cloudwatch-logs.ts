import type { CloudWatchLogsEvent } from 'aws-lambda';
import { deliverEvent, type EventSummary } from './deliver-event.js';
import type { LambdaContext } from './lambda-logger.js';

/**
 * CloudWatch Logs subscription filter on a CloudTrail log group: `{"awslogs":{"data":...}}`,
 * base64 gzip of a DATA_MESSAGE whose log events are CloudTrail records (a CONTROL_MESSAGE is
 * skipped). Invoked asynchronously; the delivery has no id of its own, the request id names it.
 */
export function handler(event: CloudWatchLogsEvent, context?: LambdaContext): Promise<EventSummary> {
  const input = `cloudwatch-logs:${context?.awsRequestId ?? 'unknown'}`;
  return deliverEvent({ trigger: 'cloudwatch-logs', input }, event, context);
}
