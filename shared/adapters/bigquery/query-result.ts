import { parseTimestamp } from '../../core/time/timestamp.js';
import type { QueryCell, QueryResult } from '../../pipeline/ports.js';

/** A column of a query answer's schema (BigQuery's TableFieldSchema, the members read here). */
export interface TableField {
  readonly name?: string;
  /** Legacy names as the API sends them: `INTEGER`, `FLOAT`, `BOOLEAN`, `RECORD`; or the standard ones. */
  readonly type?: string;
  readonly mode?: string;
  /** The members of a RECORD. */
  readonly fields?: readonly TableField[];
}

/** INT64 as a number while that is exact, else as its decimal text (a number would round past 2^53). */
export function int64Of(text: string): number | string {
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text;
}

/** The client's `wrapIntegers` option: INT64 cells through int64Of (its default rounds silently past 2^53). */
export const INT64_CAST = { integerTypeCastFunction: int64Of };

type Plain = QueryCell | { readonly [name: string]: Plain };

/**
 * Text of the client's values: BigQueryTimestamp/Date/Datetime/Time/Geography hold `.value`, a
 * BYTES Buffer becomes base64, Big (NUMERIC) and the rest their string.
 */
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
    case 'NUMERIC':
    case 'BIGNUMERIC':
      // Big: toFixed() without places is the plain decimal (its toString turns to 1e-38 when small).
      return (value as { toFixed(): string }).toFixed();
    case 'RECORD':
    case 'STRUCT': {
      const record = value as Readonly<Record<string, unknown>>;
      return Object.fromEntries(
        (field.fields ?? []).map((sub) => [sub.name ?? '', plainCell(sub, record[sub.name ?? ''])]),
      );
    }
    default:
      // STRING, JSON (parseJSON off: its text), DATE, DATETIME, TIME, GEOGRAPHY, BYTES, …
      return textOf(value);
  }
}

function plainCell(field: TableField, value: unknown): Plain {
  if (value === null || value === undefined) return null;
  if (field.mode === 'REPEATED') {
    return (value as readonly unknown[]).map((item) => plainScalar(field, item)) as Plain;
  }
  return plainScalar(field, value);
}

/** STRUCTs (and arrays of them), which a QueryCell cannot hold, become their JSON text. */
function cellOf(field: TableField, value: unknown): QueryCell {
  const plain = plainCell(field, value);
  const isStruct = field.type === 'RECORD' || field.type === 'STRUCT';
  return isStruct && plain !== null ? JSON.stringify(plain) : (plain as QueryCell);
}

/**
 * Rows as the client parsed them (`wrapIntegers: INT64_CAST`, `parseJSON` off: TIMESTAMP as a
 * BigQueryTimestamp, INT64 through int64Of, FLOAT64 numbers, BOOL booleans, REPEATED arrays, RECORD
 * objects, JSON text) into the store-neutral answer: timestamps as canonical UTC text with six
 * fractional digits, BYTES as base64, STRUCT as JSON text, everything else as BigQuery's text.
 */
export function queryResultOf(
  fields: readonly TableField[],
  rows: readonly Readonly<Record<string, unknown>>[],
): QueryResult {
  return {
    columns: fields.map((field) => field.name ?? ''),
    rows: rows.map((row) =>
      Object.fromEntries(fields.map((field) => [field.name ?? '', cellOf(field, row[field.name ?? ''])])),
    ),
  };
}
