import type { CliIo } from './cli-io.js';

/** `--wide`, for every command that prints a table. */
export const WIDE_HELP =
  'print tables at full width, whatever the terminal (cells are cut to fit it otherwise)';

function columnsOf(value: number | string | undefined): number | null {
  const columns = Number(value);
  return Number.isSafeInteger(columns) && columns > 0 ? columns : null;
}

/**
 * How wide a table may be: the terminal's width when standard output is one, else $COLUMNS when
 * set, else (a pipe or a file) `null`, every cell whole, as scripts have always read it; `--wide`
 * is `null` too. Decided here, at the CLI's edge, so the renderer stays pure.
 */
export function tableWidth(io: CliIo, wide: boolean | undefined): number | null {
  if (wide) return null;
  const stdout = io.stdout as { isTTY?: boolean; columns?: number };
  if (stdout.isTTY === true) {
    const columns = columnsOf(stdout.columns);
    if (columns !== null) return columns;
  }
  return columnsOf(io.env.COLUMNS);
}
