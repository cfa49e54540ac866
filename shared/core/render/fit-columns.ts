/** The fewest characters a column is cut to, unless the caller asks for more: 3, an ellipsis, 4. */
export const MIN_COLUMN = 8;

/** Spaces between two columns. */
export const COLUMN_GAP = 2;

/** A cell cut to `width` code points keeps both ends; the tail gets the odd one (a role's name, a repository's ref). */
export function cutMiddle(text: string, width: number): string {
  if (text.length <= width) return text; // UTF-16 units: never fewer than code points
  const chars = [...text];
  if (chars.length <= width) return text;
  const head = Math.floor((width - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (width - 1 - head)).join('')}`;
}

/** Columns of these widths, with their gaps. */
function lineWidth(widths: readonly number[]): number {
  let total = Math.max(0, widths.length - 1) * COLUMN_GAP;
  for (const width of widths) total += width;
  return total;
}

/**
 * Each column's width so a line is at most `width` wide: the widest columns shrink first, to one
 * common cap, so shorter columns stay whole, and none goes below its minimum (a column is never
 * wider than its natural width, so a short one is never cut). Past every minimum the lines stay
 * wider than `width`. `null`: the natural widths.
 */
export function fitColumns(
  natural: readonly number[],
  minimums: readonly number[],
  width: number | null,
): number[] {
  if (width === null || lineWidth(natural) <= width) return [...natural];
  // At least 3, so a cut cell keeps its first and last characters around the ellipsis.
  const floors = natural.map((size, index) => Math.min(size, Math.max(3, minimums[index] ?? MIN_COLUMN)));
  const capped = (cap: number) => natural.map((size, index) => Math.max(floors[index]!, Math.min(size, cap)));
  // The largest cap that fits; the line's width grows with the cap, so a binary search finds it.
  let low = 0;
  let high = Math.max(...natural);
  while (low < high) {
    const cap = Math.ceil((low + high) / 2);
    if (lineWidth(capped(cap)) <= width) low = cap;
    else high = cap - 1;
  }
  const widths = capped(low);
  // What the cap's step left over goes, a column each, to the leftmost columns still cut.
  let spare = width - lineWidth(widths);
  for (let index = 0; index < widths.length && spare > 0; index++) {
    if (widths[index]! < natural[index]!) {
      widths[index] = widths[index]! + 1;
      spare--;
    }
  }
  return widths;
}

/** The narrowest a table with these columns can be fitted to. */
export function narrowestFit(natural: readonly number[], minimums: readonly number[]): number {
  return lineWidth(fitColumns(natural, minimums, 0));
}
