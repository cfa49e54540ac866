import { alertOf } from '../core/alerts/alert-state.js';
import type { AlertRow } from '../core/schema/row.js';
import { timestampOf } from '../core/time/timestamp.js';
import type { AlertBook, AlertChannel, Clock } from './ports.js';

export interface NotifySummary {
  readonly delivered: number;
  readonly failed: number;
}

/**
 * The alert use case: sends each alert that needs it to every channel (an update when it was
 * delivered before with a smaller count) and records the outcome. An alert some channel refused
 * stays `failed`, with the reason, for `tokentrail alerts retry`; nothing is dropped.
 */
export async function notify(
  book: AlertBook,
  channels: readonly AlertChannel[],
  rows: readonly AlertRow[],
  clock: Clock,
): Promise<NotifySummary> {
  let delivered = 0;
  let failed = 0;
  if (channels.length === 0) return { delivered, failed };
  for (const row of rows) {
    const alert = alertOf(row);
    const errors: string[] = [];
    for (const channel of channels) {
      const result = await channel.send(alert, row.delivered_count);
      if (!result.ok) errors.push(`${channel.name}: ${result.error ?? 'failed'}`);
    }
    const at = timestampOf(clock.now());
    if (errors.length === 0) {
      await book.updateAlert(
        row.alert_id,
        { status: 'delivered', delivered_count: row.count, last_error: null },
        at,
      );
      delivered++;
    } else {
      await book.updateAlert(row.alert_id, { status: 'failed', last_error: errors.join('; ') }, at);
      failed++;
    }
  }
  return { delivered, failed };
}
