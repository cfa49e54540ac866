import type { QueryResult } from '../shared/core/queries/query-result.js';
import { layoutTable, type TableOptions } from '../shared/core/render/query-output.js';

/**
 * A table fitted to `width` (see tableWidth), with one line below it when cells were cut, saying
 * where the rest is: `values` names what holds the full values (`--json`, by default).
 */
export function fittedTable(
  result: QueryResult,
  width: number | null,
  options: Omit<TableOptions, 'width'> & { readonly values?: string } = {},
): string {
  const { text, cut } = layoutTable(result, { minimums: options.minimums, width });
  if (!cut || width === null) return text;
  const note = `(cells cut to fit ${width} columns: --wide for the full width, ${options.values ?? '--json'} for the values)`;
  return `${text}${[...note].length <= width ? note : '(cells cut: --wide, --json)'}\n`;
}
