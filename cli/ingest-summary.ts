import type { IngestSummary } from '../shared/pipeline/ingest.js';

function breakdown(counts: Partial<Record<string, number>>): string {
  const parts = Object.entries(counts).map(([reason, count]) => `${reason} ${count}`);
  return parts.length === 0 ? '' : `  (${parts.join(', ')})`;
}

/** The counts under an ingest or backfill headline: written, duplicates, skipped and quarantined, by reason. */
export function ingestSummaryLines(summary: IngestSummary): string {
  const width = String(
    Math.max(summary.written, summary.duplicates, summary.skipped, summary.quarantined),
  ).length;
  const line = (label: string, value: number, detail = '') =>
    `  ${label.padEnd(19)}${String(value).padStart(width)}${detail}\n`;
  const hint = summary.quarantined > 0 ? '\n  see them: tokentrail query sql "SELECT * FROM quarantine"' : '';
  return (
    line('rows written', summary.written) +
    line('duplicates ignored', summary.duplicates) +
    line('skipped', summary.skipped, breakdown(summary.skippedBy)) +
    line('quarantined', summary.quarantined, breakdown(summary.rejectedBy) + hint)
  );
}

/**
 * The counts of an ingest or backfill for `--json`, named as the rows and `normalize`'s summary
 * are (snake_case).
 */
export function ingestSummaryFields(summary: IngestSummary) {
  return {
    rows: summary.rows,
    duplicates: summary.duplicates,
    skipped: summary.skipped,
    rejected: summary.rejected,
    written: summary.written,
    quarantined: summary.quarantined,
    skipped_by: summary.skippedBy,
    rejected_by: summary.rejectedBy,
    rows_by_kind: summary.rowsByKind,
  };
}
