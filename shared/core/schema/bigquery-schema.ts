import { COLUMNS, type ColumnType } from './columns.js';

export interface BigQueryField {
  name: string;
  type: 'STRING' | 'TIMESTAMP' | 'JSON';
  mode: 'REQUIRED' | 'NULLABLE';
  description: string;
}

const BIGQUERY_TYPES: Record<ColumnType, BigQueryField['type']> = {
  string: 'STRING',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
};

/** The `events` table schema in the JSON form `bq mk --schema` and Terraform accept. */
export function bigQuerySchema(): BigQueryField[] {
  return COLUMNS.map((column) => ({
    name: column.name,
    type: BIGQUERY_TYPES[column.type],
    mode: column.required ? 'REQUIRED' : 'NULLABLE',
    description: column.description,
  }));
}
