/**
 * Edit distance where swapping two neighbours counts once (optimal string alignment), so `treshold`
 * is one edit from `threshold` and `thersholds` two.
 */
function distance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let best = Math.min(table[i - 1]![j]! + 1, table[i]![j - 1]! + 1, table[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1]) {
        best = Math.min(best, table[i - 2]![j - 2]! + 1);
      }
      table[i]![j] = best;
    }
  }
  return table[left.length]![right.length]!;
}

/**
 * The known name `name` is most likely a typo of (case ignored), or null when none is close: at
 * most one edit in three characters, and always one. Ties go to the earlier known name.
 */
export function closestName(name: string, known: readonly string[]): string | null {
  const typed = name.toLowerCase();
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const edits = distance(typed, candidate.toLowerCase());
    if (edits <= allowed && edits < bestDistance) {
      best = candidate;
      bestDistance = edits;
    }
  }
  return best;
}
