export * from './bigquery-schema.js';
export * from './columns.js';
export * from './duckdb-ddl.js';
export type * from './row.js';
export * from './validate-row.js';
