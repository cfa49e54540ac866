/** One row of a tabledata.insertAll request. */
export interface InsertAllRow {
  readonly insertId: string;
  readonly json: Readonly<Record<string, unknown>>;
  /** `{insertId, json}` as JSON text, when already serialized (it is measured and sent as it is). */
  readonly text?: string;
}

/** The row as the request body carries it. */
export function insertAllRowText(row: InsertAllRow): string {
  return row.text ?? JSON.stringify({ insertId: row.insertId, json: row.json });
}

export interface InsertAllLimits {
  readonly maxRows: number;
  /** Budget for the rows of one request, measured on their JSON. */
  readonly maxRequestBytes: number;
  /** A row larger than this is never sent. */
  readonly maxRowBytes: number;
}

const MIB = 1024 * 1024;

/**
 * BigQuery allows 10 MB per insertAll request and recommends 500 rows; half the request limit
 * leaves room for the envelope and for estimates that differ from what the server counts.
 */
export const INSERT_ALL_LIMITS: InsertAllLimits = {
  maxRows: 500,
  maxRequestBytes: 5 * MIB,
  maxRowBytes: 5 * MIB,
};

export interface OversizedRow<T> {
  readonly row: T;
  readonly bytes: number;
  readonly reason: string;
}

export interface InsertAllPlan<T> {
  readonly batches: readonly (readonly T[])[];
  readonly oversized: readonly OversizedRow<T>[];
}

export function insertAllRowBytes(row: InsertAllRow): number {
  return Buffer.byteLength(insertAllRowText(row), 'utf8');
}

/** Splits rows, in order, into requests within the row and byte limits; rows too large alone are set aside. */
export function planInsertAll<T extends InsertAllRow>(
  rows: readonly T[],
  limits: InsertAllLimits = INSERT_ALL_LIMITS,
): InsertAllPlan<T> {
  const batches: T[][] = [];
  const oversized: OversizedRow<T>[] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const row of rows) {
    const bytes = insertAllRowBytes(row);
    if (bytes > limits.maxRowBytes || bytes > limits.maxRequestBytes) {
      const limit = Math.min(limits.maxRowBytes, limits.maxRequestBytes);
      oversized.push({
        row,
        bytes,
        reason: `row is ${bytes} bytes as JSON, over the ${limit}-byte limit for one row`,
      });
      continue;
    }
    // +1 for the comma between rows in the request body.
    if (
      current.length === limits.maxRows ||
      (current.length > 0 && currentBytes + 1 + bytes > limits.maxRequestBytes)
    ) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    currentBytes += (current.length > 0 ? 1 : 0) + bytes;
    current.push(row);
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}
