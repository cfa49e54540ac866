import { existsSync } from 'node:fs';
import { requireReadOnly } from '../../core/queries/read-only-sql.js';
import type { AlertBook, EventStore, QueryResult } from '../../pipeline/ports.js';
import type { BigQueryStore } from '../bigquery/bigquery-store.js';

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
    const { DuckDbStore, StoreError } = await loadDuckDbStore();
    if (options.mustExist) requireStoreFile(location.path, StoreError);
    return DuckDbStore.open(location.path);
  }
  const { openBigQueryStore } = await import('../bigquery/bigquery-store.js');
  return openBigQueryStore(bigQueryOptions(location, options));
}

/** What `query sql` needs of a store: it answers queries and changes nothing. */
export interface ReadOnlyStore {
  readonly description: string;
  sql(text: string): Promise<QueryResult>;
  close(): Promise<void>;
}

/**
 * Opens an existing store for `query sql`: DuckDB read-only, without file access; BigQuery checks
 * each statement with a dry run first. Anything but a query is refused before it runs.
 */
export async function openReadOnlyStore(
  location: StoreLocation,
  options: Omit<StoreOptions, 'mustExist'> = {},
): Promise<ReadOnlyStore> {
  if (location.kind === 'duckdb') {
    const { StoreError } = await loadDuckDbStore();
    requireStoreFile(location.path, StoreError);
    const { DuckDbReadOnlyStore } = await import('../duckdb/duckdb-read-only.js');
    return DuckDbReadOnlyStore.open(location.path);
  }
  const { openBigQueryStore } = await import('../bigquery/bigquery-store.js');
  return readOnlyBigQuery(openBigQueryStore(bigQueryOptions(location, options)));
}

/** BigQuery has no read-only session: each statement's kind is asked with a dry run before it runs. */
export function readOnlyBigQuery(store: BigQueryStore): ReadOnlyStore {
  return {
    description: store.description,
    sql: async (text) => {
      requireReadOnly(await store.statementType(text));
      return store.sql(text);
    },
    close: () => store.close(),
  };
}

async function loadDuckDbStore() {
  return import('../duckdb/duckdb-store.js').catch((error: unknown) => {
    // The function bundles leave DuckDB's native binding out: in the cloud the store is BigQuery.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      `the embedded DuckDB store is not part of this deployment (${(error as Error).message}); set TOKENTRAIL_STORE=bigquery://PROJECT/DATASET`,
    );
  });
}

function requireStoreFile(path: string, StoreError: new (message: string) => Error): void {
  if (path !== ':memory:' && !existsSync(path)) {
    throw new StoreError(`no store at ${path} yet: run tokentrail ingest first, or name one with --store`);
  }
}

function bigQueryOptions(location: Extract<StoreLocation, { kind: 'bigquery' }>, options: StoreOptions) {
  return {
    projectId: location.projectId,
    dataset: location.dataset,
    ...(options.bigQueryEndpoint ? { apiEndpoint: options.bigQueryEndpoint } : {}),
  };
}
