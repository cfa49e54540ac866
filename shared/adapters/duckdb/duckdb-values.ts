import {
  DuckDBArrayValue,
  DuckDBListValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { QueryCell, RawTexts } from '../../pipeline/ports.js';

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

/** A value as the appender takes it: text, cast by DuckDB to the column's type (JSON text for objects). */
function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The text of one column for a run of records. For the JSON column `raw`, a record's own text is
 * taken where the caller has it (`rawTexts[i]`, the bytes `raw` was parsed from), so it is not
 * serialized again.
 */
export function columnTexts(
  column: string,
  records: readonly Readonly<Record<string, unknown>>[],
  rawTexts: RawTexts | undefined,
): (string | null)[] {
  const texts = new Array<string | null>(records.length);
  for (let i = 0; i < records.length; i++) {
    const own = column === 'raw' ? rawTexts?.[i] : undefined;
    texts[i] = own ?? cellText(records[i]![column]);
  }
  return texts;
}
