import type { BigQuery } from '@google-cloud/bigquery';

/**
 * The client, loaded on first use: it and google-auth-library cost tens of milliseconds to import,
 * which commands and functions that never reach BigQuery should not pay. A CommonJS package
 * imported from an ES module bundle split into chunks comes back with its exports under `default`.
 */
export async function loadBigQuery(): Promise<typeof BigQuery> {
  const library = await import('@google-cloud/bigquery');
  return library.BigQuery ?? (library as unknown as { default: typeof library }).default.BigQuery;
}
