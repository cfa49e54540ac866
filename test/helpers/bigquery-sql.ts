import { type Node, parse } from 'sql-parser-cst';

/** Parses with sql-parser-cst's BigQuery grammar (throws on a syntax error). */
export const parseBigQuery = (sql: string) => parse(sql, { dialect: 'bigquery', paramTypes: ['@name'] });

/** The `@name` parameters a statement uses, found in its syntax tree (so never inside a string literal). */
export function parametersOf(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) parametersOf(item, found);
  } else if (typeof node === 'object' && node !== null) {
    if ((node as Node).type === 'parameter') found.add((node as { text: string }).text.slice(1));
    for (const value of Object.values(node)) parametersOf(value, found);
  }
  return found;
}
