import { existsSync } from 'node:fs';
import type { AlertBook, EventStore } from '../../pipeline/ports.js';

/** Both stores keep events, quarantine and alerts. */
export type Store = EventStore & AlertBook;

import type { StoreLocation } from './store-uri.js';

export interface StoreOptions {
  /** Another BigQuery API root (an emulator, a test server); credentials still come from ADC. */
  readonly bigQueryEndpoint?: string;
  /** Refuse to create an embedded store that is not there yet (queries: nothing to ask). */
  readonly mustExist?: boolean;
}

/**
 * Opens the store a location names. Each store's code is loaded only when asked for: DuckDB's
 * native binding weighs tens of megabytes, the BigQuery store brings google-auth-library, and
 * commands without a store (normalize, --help) should pay for neither.
 */
export async function openStore(location: StoreLocation, options: StoreOptions = {}): Promise<Store> {
  if (location.kind === 'duckdb') {
    const { DuckDbStore, StoreError } = await import('../duckdb/duckdb-store.js').catch((error: unknown) => {
      // The function bundles leave DuckDB's native binding out: in the cloud the store is BigQuery.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
      throw new Error(
        `the embedded DuckDB store is not part of this deployment (${(error as Error).message}); set TOKENTRAIL_STORE=bigquery://PROJECT/DATASET`,
      );
    });
    if (options.mustExist && location.path !== ':memory:' && !existsSync(location.path)) {
      throw new StoreError(
        `no store at ${location.path} yet: run tokentrail ingest first, or name one with --store`,
      );
    }
    return DuckDbStore.open(location.path);
  }
  const { openBigQueryStore } = await import('../bigquery/bigquery-store.js');
  return openBigQueryStore({
    projectId: location.projectId,
    dataset: location.dataset,
    ...(options.bigQueryEndpoint ? { apiEndpoint: options.bigQueryEndpoint } : {}),
  });
}
