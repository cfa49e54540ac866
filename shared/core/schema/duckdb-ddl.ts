import { COLUMNS, type ColumnType } from './columns.js';

const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSON',
};

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** DDL for the rows table in the embedded store; event_id is the key that makes ingest idempotent. */
export function duckDbCreateTable(table = 'events'): string {
  const columns = COLUMNS.map((column) => {
    const key = column.name === 'event_id' ? ' PRIMARY KEY' : '';
    const nullability = column.required ? ' NOT NULL' : '';
    return `  ${quoteIdentifier(column.name)} ${DUCKDB_TYPES[column.type]}${nullability}${key}`;
  });
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(table)} (\n${columns.join(',\n')}\n);`;
}
