import type { TableField } from '@google-cloud/bigquery';
import { parseTimestamp } from '../../core/time/timestamp.js';
import type { QueryCell, QueryResult } from '../../pipeline/ports.js';

/**
 * INT64 cells as numbers while that is exact, else as their decimal text (the client's default
 * would round silently past 2^53).
 */
export const INT64_CAST = {
  integerTypeCastFunction: (value: string): number | string => {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  },
};

type Plain = QueryCell | { readonly [name: string]: Plain };

/** Text of the client's wrapper objects: BigQueryTimestamp/Date/Datetime/Time/Geography hold `.value`; Big has toString. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'object' && value !== null && 'value' in value) return String(value.value);
  return String(value);
}

function plainScalar(field: TableField, value: unknown): Plain {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'TIMESTAMP': {
      const text = textOf(value);
      return parseTimestamp(text) ?? text;
    }
    case 'INTEGER':
    case 'INT64':
    case 'FLOAT':
    case 'FLOAT64':
    case 'BOOLEAN':
    case 'BOOL':
      return value as number | string | boolean;
    case 'RECORD':
    case 'STRUCT': {
      const record = value as Readonly<Record<string, unknown>>;
      return Object.fromEntries(
        (field.fields ?? []).map((sub) => [sub.name!, plainCell(sub, record[sub.name!])]),
      );
    }
    default:
      return textOf(value);
  }
}

function plainCell(field: TableField, value: unknown): Plain {
  if (value === null || value === undefined) return null;
  if (field.mode === 'REPEATED')
    return (value as readonly unknown[]).map((item) => plainScalar(field, item)) as Plain;
  return plainScalar(field, value);
}

/** STRUCTs, which a QueryCell cannot hold, become their JSON text. */
function cellOf(field: TableField, value: unknown): QueryCell {
  const plain = plainCell(field, value);
  const isStruct = field.type === 'RECORD' || field.type === 'STRUCT';
  return isStruct && plain !== null ? JSON.stringify(plain) : (plain as QueryCell);
}

/**
 * Rows as the client parsed them (TIMESTAMP from int64 microseconds to BigQueryTimestamp, INT64
 * through INT64_CAST, REPEATED as arrays, JSON as text) into the store-neutral answer: timestamps as
 * canonical UTC text with six fractional digits.
 */
export function queryResultOf(
  fields: readonly TableField[],
  rows: readonly Readonly<Record<string, unknown>>[],
): QueryResult {
  return {
    columns: fields.map((field) => field.name!),
    rows: rows.map((row) =>
      Object.fromEntries(fields.map((field) => [field.name!, cellOf(field, row[field.name!])])),
    ),
  };
}
