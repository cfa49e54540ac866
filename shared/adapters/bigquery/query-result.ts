import { parseTimestamp } from '../../core/time/timestamp.js';
import type { QueryCell, QueryResult } from '../../pipeline/ports.js';

/** A column of a query answer's schema (BigQuery's TableFieldSchema, the members read here). */
export interface TableField {
  readonly name: string;
  /** Legacy names as the API sends them: `INTEGER`, `FLOAT`, `BOOLEAN`, `RECORD`; or the standard ones. */
  readonly type: string;
  readonly mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED' | string;
  /** The members of a RECORD. */
  readonly fields?: readonly TableField[];
}

/**
 * One cell as jobs.query and getQueryResults send it: scalars as text (TIMESTAMP as int64
 * microseconds with `formatOptions.useInt64Timestamp`), REPEATED as `[{v}]`, RECORD as `{f: [{v}]}`.
 */
export interface WireCell {
  readonly v: unknown;
}

export interface WireRow {
  readonly f: readonly WireCell[];
}

type Plain = QueryCell | { readonly [name: string]: Plain };

const INT64_TEXT = /^-?\d+$/;
const MICROS_PER_SECOND = 1_000_000n;

/** INT64 as a number while that is exact, else as its decimal text (a number would round past 2^53). */
export function int64Of(text: string): number | string {
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text;
}

/** Epoch microseconds as canonical UTC text with six fractional digits; other text as parseTimestamp reads it. */
export function timestampOfMicros(text: string): string {
  if (!INT64_TEXT.test(text)) return parseTimestamp(text) ?? text;
  const micros = BigInt(text);
  let seconds = micros / MICROS_PER_SECOND;
  if (micros % MICROS_PER_SECOND < 0n) seconds -= 1n; // BigInt division truncates; floor it
  const fraction = micros - seconds * MICROS_PER_SECOND;
  const date = new Date(Number(seconds) * 1000);
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString();
  // BigQuery's range is years 0001-9999; anything else is passed on as the number it was.
  if (!/^\d{4}-/.test(iso)) return text;
  return `${iso.slice(0, 19)}.${String(fraction).padStart(6, '0')}Z`;
}

function scalarOf(field: TableField, value: unknown): Plain {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'INTEGER':
    case 'INT64':
      return int64Of(String(value));
    case 'FLOAT':
    case 'FLOAT64':
      return Number(value); // "NaN", "Infinity" and "-Infinity" included
    case 'BOOLEAN':
    case 'BOOL':
      return String(value).toLowerCase() === 'true';
    case 'TIMESTAMP':
      return timestampOfMicros(String(value));
    case 'BYTES':
      return Buffer.from(String(value), 'base64').toString('base64');
    case 'RECORD':
    case 'STRUCT':
      return recordOf(field.fields ?? [], value as WireRow);
    default:
      // STRING, JSON, NUMERIC, BIGNUMERIC, DATE, DATETIME, TIME, GEOGRAPHY, INTERVAL, RANGE: BigQuery's text.
      return String(value);
  }
}

function plainOf(field: TableField, value: unknown): Plain {
  if (value === null || value === undefined) return null;
  if (field.mode === 'REPEATED') {
    return (value as readonly WireCell[]).map((item) => scalarOf(field, item.v)) as Plain;
  }
  return scalarOf(field, value);
}

function recordOf(fields: readonly TableField[], row: WireRow): { readonly [name: string]: Plain } {
  return Object.fromEntries(fields.map((field, index) => [field.name, plainOf(field, row.f[index]?.v)]));
}

/** STRUCTs (and arrays of them), which a QueryCell cannot hold, become their JSON text. */
function cellOf(field: TableField, value: unknown): QueryCell {
  const plain = plainOf(field, value);
  const isStruct = field.type === 'RECORD' || field.type === 'STRUCT';
  return isStruct && plain !== null ? JSON.stringify(plain) : (plain as QueryCell);
}

/**
 * A query answer's rows in the wire format into the store-neutral answer: INT64 as numbers while
 * exact (else text), FLOAT64 as numbers, BOOL as booleans, TIMESTAMP as canonical UTC text with six
 * fractional digits, BYTES as base64, REPEATED as arrays, STRUCT as JSON text, everything else
 * (JSON, NUMERIC, DATE, …) as BigQuery's text, NULL as null.
 */
export function queryResultOf(fields: readonly TableField[], rows: readonly WireRow[]): QueryResult {
  return {
    columns: fields.map((field) => field.name),
    rows: rows.map((row) =>
      Object.fromEntries(fields.map((field, index) => [field.name, cellOf(field, row.f[index]?.v)])),
    ),
  };
}
