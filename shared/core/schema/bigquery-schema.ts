import type { ColumnType } from './columns.js';
import { EVENTS_TABLE, type TableSpec } from './tables.js';

export interface BigQueryField {
  name: string;
  type: 'STRING' | 'INT64' | 'BOOL' | 'TIMESTAMP' | 'JSON';
  mode: 'REQUIRED' | 'NULLABLE';
  description: string;
}

export const BIGQUERY_TYPES: Record<ColumnType, BigQueryField['type']> = {
  string: 'STRING',
  integer: 'INT64',
  boolean: 'BOOL',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
};

/** A table schema in the JSON form `bq mk --schema` and Terraform accept. */
export function bigQuerySchema(table: TableSpec = EVENTS_TABLE): BigQueryField[] {
  return table.columns.map((column) => ({
    name: column.name,
    type: BIGQUERY_TYPES[column.type],
    mode: column.required ? 'REQUIRED' : 'NULLABLE',
    description: column.description,
  }));
}
