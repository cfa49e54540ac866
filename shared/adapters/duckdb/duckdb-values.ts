import {
  DuckDBArrayValue,
  DuckDBListValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { QueryCell } from '../../pipeline/ports.js';

function canonicalFromMicros(micros: bigint): string {
  const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const extra = micros - millis * 1000n;
  return `${new Date(Number(millis)).toISOString().slice(0, 23)}${String(extra).padStart(3, '0')}Z`;
}

/** A DuckDB value as a plain query cell: timestamps as canonical UTC text, integers as numbers. */
export function toQueryCell(value: DuckDBValue): QueryCell {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'number'
  ) {
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    return canonicalFromMicros(value.micros);
  }
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    return value.items.map(toQueryCell);
  }
  return String(value);
}
