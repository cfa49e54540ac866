/**
 * `query sql` answers questions; it never changes the store or touches files. Stores name the kind
 * of each statement (DuckDB's prepared statement type, BigQuery's dry-run statementType); these
 * are the kinds that only read.
 */
const READS = new Set(['SELECT', 'EXPLAIN']);

/** Kinds that are neither a query nor a change to the data: settings, transactions, scripts. */
const NOT_WRITES = new Set([
  'SET',
  'VARIABLE_SET',
  'PRAGMA',
  'TRANSACTION',
  'PREPARE',
  'EXECUTE',
  'CALL',
  'SCRIPT',
  'ASSERT',
  'RELATION',
  'LOGICAL_PLAN',
  'MULTI',
  'INVALID',
]);

export class ReadOnlyQueryError extends Error {
  override readonly name = 'ReadOnlyQueryError';
}

/**
 * Throws unless a statement of this kind only reads. `words` names the kind for people where the
 * store's own name would puzzle them (DuckDB calls INSTALL a LOAD statement).
 */
export function requireReadOnly(statementType: string, words = statementType.replaceAll('_', ' ')): void {
  if (READS.has(statementType)) return;
  const why = NOT_WRITES.has(statementType) ? 'is not a query' : 'is a write';
  throw new ReadOnlyQueryError(`query sql runs read-only queries; ${words} ${why}`);
}

/** The store refused to read or write a file (DuckDB's COPY ... TO, read_csv, ATTACH). */
export function noFiles(storeMessage: string): ReadOnlyQueryError {
  return new ReadOnlyQueryError(
    `query sql runs read-only queries; it reads and writes no files: ${storeMessage}`,
  );
}
