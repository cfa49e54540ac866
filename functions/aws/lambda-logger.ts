import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/**
 * Powertools JSON lines on stdout, which Lambda sends to CloudWatch Logs as they are, so Logs
 * Insights can query their fields. The level comes from AWS_LAMBDA_LOG_LEVEL (the function's log
 * level setting) or POWERTOOLS_LOG_LEVEL, INFO by default. Lines hold counts, object names and
 * error messages; webhook URLs never reach them (the chat adapters redact them).
 */
export const logger = new Logger({ serviceName: 'tokentrail' });

/** What the handlers read of Lambda's context; `invoke local` and the tests give part of it, or none. */
export type LambdaContext = Partial<Context>;

/**
 * Starts an invocation's lines: the request id and cold start flag from the context, and the
 * delivery's id as `correlation_id`. The previous invocation's keys are dropped first.
 */
export function startInvocation(context: LambdaContext | undefined, correlationId?: string): void {
  logger.resetKeys();
  // addContext reads the fields it logs; a partial context leaves the others out of the line.
  if (context) logger.addContext(context as Context);
  if (correlationId) logger.setCorrelationId(correlationId);
}

// A type literal, not an interface: the logger takes it as a record of keys.
export type InvocationSummary = {
  readonly trigger: string;
  readonly outcome: 'ok' | 'partial' | 'failed';
};

/** One line per invocation, its level by outcome: an error when it failed, a warning when partly. */
export function logInvocation<Summary extends InvocationSummary>(summary: Summary): void {
  const keys: Record<string, unknown> = { ...summary };
  if (summary.outcome === 'failed') logger.error('invocation', keys);
  else if (summary.outcome === 'partial') logger.warn('invocation', keys);
  else logger.info('invocation', keys);
}
