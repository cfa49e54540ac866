import type { Request, Response } from '@google-cloud/functions-framework';
import { describeError } from '../../shared/core/errors.js';
import { scheduledDetect } from '../../shared/pipeline/scheduled-detect.js';
import type { RuntimeHandle } from './ingest-cloud-event.js';
import { logWriter, traceIdOf, type WriteLog } from './log-line.js';

/**
 * Cloud Scheduler calls this over HTTP (POST, with an OIDC token the platform checks): every rule
 * over the lookback window, then every alert still waiting for delivery. 200 with a JSON summary;
 * 500 on failure, which Cloud Scheduler retries per its retry_config and the next run covers anyway.
 */
export async function scheduledDetectHttp(
  runtime: RuntimeHandle,
  request: Request,
  response: Response,
  log: WriteLog = logWriter(
    traceIdOf(request.header('traceparent'), request.header('x-cloud-trace-context')),
  ),
): Promise<void> {
  if (request.method !== 'POST') {
    response.set('Allow', 'POST').status(405).json({ error: 'use POST (Cloud Scheduler does)' });
    return;
  }
  try {
    const result = await scheduledDetect((await runtime.get()).scheduled);
    const summary = {
      since: result.since,
      until: result.until,
      alerts: result.alerts.length,
      delivered: result.notified.delivered,
      failed: result.notified.failed,
      unconfirmed: result.notified.unconfirmed,
    };
    log({
      severity: summary.failed > 0 || summary.unconfirmed > 0 ? 'WARNING' : 'INFO',
      message: `scheduled detection ${summary.since} to ${summary.until}: ${summary.alerts} alerts, ${summary.delivered} delivered, ${summary.failed} failed, ${summary.unconfirmed} unconfirmed`,
      ...summary,
    });
    response.status(200).json(summary);
  } catch (error) {
    log({ severity: 'ERROR', message: `scheduled detection failed: ${describeError(error)}` });
    response.status(500).json({ error: 'scheduled detection failed; the function log says why' });
  }
}
