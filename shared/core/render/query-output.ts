import type { QueryCell, QueryResult } from '../queries/query-result.js';
import { CANONICAL_TIMESTAMP } from '../schema/validate-row.js';
import { COLUMN_GAP, cutMiddle, fitColumns, MIN_COLUMN, narrowestFit } from './fit-columns.js';
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

export interface TableOptions {
  /**
   * Fit every line into this many columns (code points): the widest columns are cut first, each cut
   * cell keeping its start and its end around `…`. `null` or absent: every cell whole.
   */
  readonly width?: number | null;
  /** The fewest characters a column is cut to, by column name, where the default (MIN_COLUMN) is not enough. */
  readonly minimums?: Readonly<Record<string, number>>;
}

export interface Table {
  readonly text: string;
  /** Whether some cell or heading was cut to fit the width. */
  readonly cut: boolean;
}

function measure(result: QueryResult, options: TableOptions) {
  const { columns, rows } = result;
  const headings = columns.map(heading);
  const texts = rows.map((row) => columns.map((column) => cellText(row[column] ?? null)));
  const numeric = columns.map(
    (column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'),
  );
  // A loop, not Math.max(...widths): spreading one argument per row overflows the stack at ~125k rows.
  const natural = columns.map((_, index) => {
    let width = [...headings[index]!].length;
    for (const line of texts) width = Math.max(width, [...line[index]!].length);
    return width;
  });
  const minimums = columns.map((column, index) =>
    numeric[index] ? natural[index]! : (options.minimums?.[column] ?? MIN_COLUMN),
  );
  return { headings, texts, numeric, natural, minimums };
}

/** The narrowest width `layoutTable` can fit this table into; below it, lines are wider than asked. */
export function narrowestTable(result: QueryResult, options: Omit<TableOptions, 'width'> = {}): number {
  const { natural, minimums } = measure(result, options);
  return narrowestFit(natural, minimums);
}

/**
 * A table for people: aligned columns, numbers to the right, timestamps to the second (UTC), `-` for
 * null. Every cell is made terminal-safe, then, given a width, cut in the middle to fit it; numbers
 * are never cut. Without a width nothing is cut, so a long subject cannot hide its tail.
 */
export function layoutTable(result: QueryResult, options: TableOptions = {}): Table {
  const { headings, texts, numeric, natural, minimums } = measure(result, options);
  const widths = fitColumns(natural, minimums, options.width ?? null);
  const format = (cells: readonly string[]) =>
    cells
      .map((whole, index) => {
        const cell = cutMiddle(whole, widths[index]!);
        const pad = ' '.repeat(widths[index]! - [...cell].length);
        return numeric[index] ? pad + cell : cell + pad;
      })
      .join(' '.repeat(COLUMN_GAP))
      .trimEnd();
  return {
    text: [format(headings), ...texts.map(format)].map((line) => `${line}\n`).join(''),
    cut: widths.some((width, index) => width < natural[index]!),
  };
}

/** The table's text; see layoutTable. */
export function renderTable(result: QueryResult, options: TableOptions = {}): string {
  return layoutTable(result, options).text;
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
