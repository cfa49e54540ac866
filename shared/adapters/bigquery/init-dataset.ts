import { bigQueryDdl } from '../../core/schema/bigquery-ddl.js';
import { type BigQueryStoreOptions, openBigQueryStore } from './bigquery-store.js';

/** One statement of the set-up, done. */
export interface InitStep {
  /** The statement's name, e.g. `dataset`, `table-events`, `view-events-unique`. */
  readonly name: string;
  /** 1-based. */
  readonly index: number;
  readonly total: number;
}

/**
 * Creates the dataset, tables and views by running each statement of `bigQueryDdl` in order as a
 * query job. Every statement is idempotent (IF NOT EXISTS, OR REPLACE), so running it again is safe.
 */
export async function initBigQuery(
  options: BigQueryStoreOptions,
  onStatement: (step: InitStep) => void = () => {},
): Promise<void> {
  const store = openBigQueryStore(options);
  try {
    const statements = bigQueryDdl(store.datasetRef, store.location);
    for (const [offset, statement] of statements.entries()) {
      try {
        await store.sql(statement.sql);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`bigquery init: statement ${statement.name} failed: ${message}`, { cause: error });
      }
      onStatement({ name: statement.name, index: offset + 1, total: statements.length });
    }
  } finally {
    await store.close();
  }
}
