export type QueryCell = string | number | boolean | null | readonly QueryCell[];

/** A query answer: columns in order, rows keyed by column; timestamps as canonical UTC text. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, QueryCell>>[];
}
