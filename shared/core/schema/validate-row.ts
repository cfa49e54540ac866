import { COLUMNS, type ColumnSpec } from './columns.js';
import type { Row } from './row.js';

/** The canonical timestamp form every row carries: UTC, microseconds, `Z`. */
export const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function checkColumn(column: ColumnSpec, value: unknown): string | null {
  if (value === null || value === undefined) {
    return column.required ? `${column.name} is required` : null;
  }
  switch (column.type) {
    case 'json':
      return null;
    case 'integer':
      return Number.isSafeInteger(value) ? null : `${column.name} must be an integer`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${column.name} must be true or false`;
    case 'timestamp':
      return typeof value === 'string' && CANONICAL_TIMESTAMP.test(value)
        ? null
        : `${column.name} must be a UTC timestamp like 2025-01-02T03:04:05.000000Z`;
    case 'string':
      if (typeof value !== 'string') return `${column.name} must be a string`;
      if (column.values && !column.values.includes(value)) {
        return `${column.name} must be one of ${column.values.join(', ')}`;
      }
      return null;
  }
}

const KNOWN_COLUMNS = new Set<string>(COLUMNS.map((column) => column.name));

/** Returns the problems with a candidate row; an empty list means it is a valid `Row`. */
export function rowProblems(candidate: unknown): string[] {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    return ['a row must be an object'];
  }
  const record = candidate as Record<string, unknown>;
  const problems: string[] = [];
  for (const column of COLUMNS) {
    const problem = checkColumn(column, record[column.name]);
    if (problem) problems.push(problem);
  }
  for (const key of Object.keys(record)) {
    if (!KNOWN_COLUMNS.has(key)) problems.push(`unknown column ${key}`);
  }
  return problems;
}

export function isRow(candidate: unknown): candidate is Row {
  return rowProblems(candidate).length === 0;
}
