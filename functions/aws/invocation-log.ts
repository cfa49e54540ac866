import type { DeliveryResult } from '../../shared/pipeline/process-delivery.js';

/** The counts one delivery produced, flat, for the invocation's log line. */
export interface DeliveryCounts {
  readonly rows: number;
  readonly written: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly quarantined: number;
  readonly skipped_by: Readonly<Record<string, number>>;
  readonly rejected_by: Readonly<Record<string, number>>;
  readonly alerts: number;
  readonly alerts_delivered: number;
  readonly alerts_failed: number;
}

export function deliveryCounts({ ingest, alerts, notified }: DeliveryResult): DeliveryCounts {
  return {
    rows: ingest.rows,
    written: ingest.written,
    duplicates: ingest.duplicates,
    skipped: ingest.skipped,
    quarantined: ingest.quarantined,
    skipped_by: ingest.skippedBy as Record<string, number>,
    rejected_by: ingest.rejectedBy as Record<string, number>,
    alerts: alerts.length,
    alerts_delivered: notified.delivered,
    alerts_failed: notified.failed,
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * One JSON line per invocation on stdout, which Lambda sends to CloudWatch Logs as it is (no
 * prefix), so Logs Insights can query its fields. It holds counts, object names and error
 * messages; webhook URLs never reach it (the chat adapters redact them).
 */
export function logInvocation(line: object): void {
  process.stdout.write(`${JSON.stringify({ type: 'invocation', ...line })}\n`);
}
