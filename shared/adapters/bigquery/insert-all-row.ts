import type { TableSpec } from '../../core/schema/tables.js';
import type { InsertAllRow } from './insert-batches.js';

/**
 * A stored record as insertAll takes it: the table's columns, nulls kept. A JSON column travels as
 * a string holding JSON text, not as a nested object (which insertAll would read as a RECORD): the
 * Python client does the same, `json.dumps` per JSON cell (googleapis/python-bigquery#1756/#1757,
 * `_json_to_json` in `_helpers.py`), and the Node client has no schema-aware encoding with `raw`.
 * TIMESTAMP columns already hold canonical RFC 3339 text, which insertAll accepts as is.
 */
export function insertAllRow(table: TableSpec, record: Readonly<Record<string, unknown>>): InsertAllRow {
  const json: Record<string, unknown> = {};
  for (const column of table.columns) {
    const value = record[column.name] ?? null;
    json[column.name] = column.type === 'json' && value !== null ? JSON.stringify(value) : value;
  }
  const insertId = record[table.key];
  if (typeof insertId !== 'string' || insertId === '') {
    throw new Error(`a ${table.name} row needs its ${table.key} as a non-empty string`);
  }
  return { insertId, json, text: JSON.stringify({ insertId, json }) };
}
