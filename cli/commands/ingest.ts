import { openStore, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import type { StoreLocation } from '../../shared/adapters/store/store-uri.js';
import { pointInTime } from '../../shared/core/queries/time-range.js';
import type { IngestSummary } from '../../shared/pipeline/ingest.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { ingestInputs, requireExistingInputs } from '../consume-inputs.js';
import { ingestSummaryFields, ingestSummaryLines } from '../ingest-summary.js';
import { decodeLimits, requireInputs } from '../input-options.js';
import type { Progress } from '../progress.js';

export interface IngestOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  readonly progress: boolean;
  readonly json: boolean;
  readonly maxDecompressedBytes?: number;
  /** For s3:// archives: skip objects filed before this time (7d, 2026-11-01, ...). */
  readonly since?: string;
}

function summaryText(summary: IngestSummary, store: string, totals: ReturnType<Progress['totals']>): string {
  return (
    `ingested ${totals.files} inputs (${(totals.bytes / 1024 ** 2).toFixed(1)} MB) into ${store} in ${totals.seconds.toFixed(1)} s\n` +
    ingestSummaryLines(summary)
  );
}

/**
 * `tokentrail ingest [FILE|DIR|-]...`: everything `normalize` reads, written to the store; rejected
 * records go to its quarantine table. Exit 0 when nothing was quarantined, 3 when some records
 * were, 1 on usage, I/O or store errors (the other inputs are still processed).
 */
export async function ingestCommand(
  names: readonly string[],
  options: IngestOptions,
  io: CliIo,
): Promise<number> {
  requireInputs(names, io);
  await requireExistingInputs(names); // before the store is opened: a typo creates no empty store
  const store = await openStore(options.store, options.storeOptions);
  try {
    const { summary, totals, failed } = await ingestInputs(
      store,
      names,
      {
        limits: decodeLimits(options.maxDecompressedBytes),
        progress: options.progress,
        ...(options.since ? { s3Since: pointInTime(options.since, io.now(), '--since') } : {}),
      },
      io,
    );
    io.stdout.write(
      options.json
        ? `${JSON.stringify({ type: 'summary', store: store.description, ...ingestSummaryFields(summary), files: totals.files, bytes: totals.bytes })}\n`
        : summaryText(summary, store.description, totals),
    );
    if (failed) return EXIT.failure;
    return summary.quarantined > 0 ? EXIT.rejected : EXIT.ok;
  } finally {
    await store.close();
  }
}
