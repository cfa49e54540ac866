import { VIEWS } from '../queries/views.js';
import type { ColumnType } from './columns.js';
import { EVENTS_TABLE, TABLES, type TableSpec } from './tables.js';

const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSON',
};

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * DDL for a table in the embedded store. Only a table with `duckDbPrimaryKey` gets one; the store
 * keeps one row per key in the others itself.
 */
export function duckDbCreateTable(table: TableSpec = EVENTS_TABLE, name = table.name): string {
  const columns = table.columns.map((column) => {
    const key = column.name === table.key && table.duckDbPrimaryKey ? ' PRIMARY KEY' : '';
    const nullability = column.required ? ' NOT NULL' : '';
    return `  ${quoteIdentifier(column.name)} ${DUCKDB_TYPES[column.type]}${nullability}${key}`;
  });
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(name)} (\n${columns.join(',\n')}\n);`;
}

/**
 * The embedded store's set-up, idempotent. The store writes one row per event (event_id and
 * event_time), so `events_unique` is the table itself; it exists so the views read the same in
 * both stores.
 */
export function duckDbSetup(): string[] {
  return [
    ...TABLES.map((table) => duckDbCreateTable(table)),
    ...TABLES.flatMap((table) =>
      table.columns
        .filter((column) => column.addedLater)
        .map(
          (column) =>
            `ALTER TABLE ${quoteIdentifier(table.name)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column.name)} ${DUCKDB_TYPES[column.type]}`,
        ),
    ),
    'CREATE OR REPLACE VIEW events_unique AS SELECT * FROM events',
    ...VIEWS.map((view) => `CREATE OR REPLACE VIEW ${view.name} AS ${view.select((name) => name)}`),
  ];
}
