import type { QueryCell, QueryResult } from '../queries/query-result.js';
import { CANONICAL_TIMESTAMP } from '../schema/validate-row.js';
import { inertJson, terminalSafe } from './terminal-safe.js';

function cellText(cell: QueryCell): string {
  if (cell === null) return '-';
  if (Array.isArray(cell)) return cell.map(cellText).join(',');
  if (typeof cell === 'string' && CANONICAL_TIMESTAMP.test(cell))
    return `${cell.slice(0, 10)} ${cell.slice(11, 19)}`;
  return terminalSafe(String(cell));
}

function heading(column: string): string {
  return column.replaceAll('_', ' ').toUpperCase();
}

/**
 * A table for people: aligned columns, numbers to the right, timestamps to the second (UTC), `-` for
 * null. Every cell is made terminal-safe; nothing is truncated, so a long subject cannot hide its tail.
 */
export function renderTable(result: QueryResult): string {
  const { columns, rows } = result;
  const texts = rows.map((row) => columns.map((column) => cellText(row[column] ?? null)));
  const numeric = columns.map(
    (column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'),
  );
  // A loop, not Math.max(...widths): spreading one argument per row overflows the stack at ~125k rows.
  const widths = columns.map((column, index) => {
    let width = heading(column).length;
    for (const line of texts) width = Math.max(width, [...line[index]!].length);
    return width;
  });
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, index) => {
        const pad = ' '.repeat(widths[index]! - [...cell].length);
        return numeric[index] ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [format(columns.map(heading)), ...texts.map(format)].map((line) => `${line}\n`).join('');
}

/** One JSON object per line, values exact; invisible characters escaped (see inertJson). */
export function renderNdjson(result: QueryResult): string {
  return result.rows
    .map((row) => {
      const ordered: Record<string, QueryCell> = {};
      for (const column of result.columns) ordered[column] = row[column] ?? null;
      return `${inertJson(ordered)}\n`;
    })
    .join('');
}

/** Cells a spreadsheet would run as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(cell: QueryCell): string {
  if (cell === null) return '';
  const text = Array.isArray(cell)
    ? cell.map((item) => (item === null ? '' : String(item))).join(',')
    : String(cell);
  const inert = typeof cell === 'string' && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

/**
 * RFC 4180 CSV with a header row, for spreadsheets: text cells starting with = + - @ get a leading `'`
 * so they are not run as formulas. Scripts that need exact values should read `--json`.
 */
export function renderCsv(result: QueryResult): string {
  const lines = [result.columns.join(',')];
  for (const row of result.rows)
    lines.push(result.columns.map((column) => csvCell(row[column] ?? null)).join(','));
  return lines.map((line) => `${line}\r\n`).join('');
}
