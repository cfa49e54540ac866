export const DEFAULT_STORE = '.tokentrail/tokentrail.duckdb';

export type StoreLocation =
  | { readonly kind: 'duckdb'; readonly path: string }
  | { readonly kind: 'bigquery'; readonly projectId: string; readonly dataset: string };

export class StoreUriError extends Error {
  override readonly name = 'StoreUriError';
}

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;

/**
 * Reads `--store` / `TOKENTRAIL_STORE`: `bigquery://PROJECT/DATASET`, `duckdb:PATH`, or a plain path
 * to a DuckDB file. Identifiers are checked here because they end up in SQL text (table names
 * cannot be query parameters).
 */
export function parseStoreUri(text: string | undefined): StoreLocation {
  const uri = text?.trim() || DEFAULT_STORE;
  if (uri.startsWith('bigquery:')) {
    const match = /^bigquery:\/\/([^/]+)\/([^/]+)\/?$/.exec(uri);
    if (!match) throw new StoreUriError(`'${uri}' is not a BigQuery store: use bigquery://PROJECT/DATASET`);
    const [, projectId, dataset] = match as unknown as [string, string, string];
    if (!PROJECT_ID.test(projectId)) throw new StoreUriError(`'${projectId}' is not a valid GCP project id`);
    if (!DATASET.test(dataset)) {
      throw new StoreUriError(
        `'${dataset}' is not a valid BigQuery dataset name (letters, digits, underscores)`,
      );
    }
    return { kind: 'bigquery', projectId, dataset };
  }
  const path = uri.startsWith('duckdb:') ? uri.slice('duckdb:'.length).replace(/^\/\//, '') : uri;
  if (path === '')
    throw new StoreUriError('duckdb: needs a file path, e.g. duckdb:.tokentrail/tokentrail.duckdb');
  return { kind: 'duckdb', path };
}
