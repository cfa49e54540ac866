import type { EventStore } from '../../pipeline/ports.js';
import { DuckDbStore } from '../duckdb/duckdb-store.js';
import type { StoreLocation } from './store-uri.js';

export interface StoreOptions {
  /** Another BigQuery API root (an emulator, a test server); credentials still come from ADC. */
  readonly bigQueryEndpoint?: string;
}

/**
 * Opens the store a location names. The BigQuery client is loaded only when asked for: it takes
 * seconds to import, and the embedded store should start at once.
 */
export async function openStore(location: StoreLocation, options: StoreOptions = {}): Promise<EventStore> {
  if (location.kind === 'duckdb') return DuckDbStore.open(location.path);
  const { openBigQueryStore } = await import('../bigquery/bigquery-store.js');
  return openBigQueryStore({
    projectId: location.projectId,
    dataset: location.dataset,
    ...(options.bigQueryEndpoint ? { apiEndpoint: options.bigQueryEndpoint } : {}),
  });
}
