import type { ScheduledEvent } from 'aws-lambda';
import { describeError } from '../../shared/core/errors.js';
import { scheduledDetect } from '../../shared/pipeline/scheduled-detect.js';
import { type LambdaContext, logInvocation, startInvocation } from './lambda-logger.js';
import { lambdaRuntime } from './lambda-runtime.js';

export interface ScheduleSummary {
  readonly trigger: 'schedule';
  readonly outcome: 'ok';
  readonly since: string;
  readonly until: string;
  readonly alerts: number;
  readonly alerts_delivered: number;
  readonly alerts_failed: number;
  readonly alerts_unconfirmed: number;
  readonly ms: number;
}

/**
 * EventBridge schedule: every rule (the baseline and window rules too) over the look-back window;
 * the alerts table keeps overlapping runs from alerting twice, and alerts that failed to send
 * earlier are sent again. A failure throws, for Lambda's retry and the on-failure destination.
 */
export async function handler(event?: ScheduledEvent, context?: LambdaContext): Promise<ScheduleSummary> {
  const started = performance.now();
  startInvocation(context, event?.id);
  try {
    const runtime = await lambdaRuntime.get();
    const result = await scheduledDetect(runtime.scheduled);
    const summary: ScheduleSummary = {
      trigger: 'schedule',
      outcome: 'ok',
      since: result.since,
      until: result.until,
      alerts: result.alerts.length,
      alerts_delivered: result.notified.delivered,
      alerts_failed: result.notified.failed,
      alerts_unconfirmed: result.notified.unconfirmed,
      ms: Math.round(performance.now() - started),
    };
    logInvocation(summary);
    return summary;
  } catch (error) {
    logInvocation({
      trigger: 'schedule',
      outcome: 'failed',
      error: describeError(error),
      ms: Math.round(performance.now() - started),
    });
    throw error;
  }
}
