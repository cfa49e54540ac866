import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { deliverEvent, type EventSummary } from './deliver-event.js';

/**
 * CloudWatch Logs subscription filter on a CloudTrail log group: `{"awslogs":{"data":...}}`,
 * base64 gzip of a DATA_MESSAGE whose log events are CloudTrail records (a CONTROL_MESSAGE is
 * skipped). Invoked asynchronously.
 */
export function handler(
  event: CloudWatchLogsEvent,
  context?: Pick<Context, 'awsRequestId'>,
): Promise<EventSummary> {
  return deliverEvent('cloudwatch-logs', `cloudwatch-logs:${context?.awsRequestId ?? 'unknown'}`, event);
}
