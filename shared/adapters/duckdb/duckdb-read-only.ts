import { DuckDBInstance, StatementType } from '@duckdb/node-api';
import { noFiles, requireReadOnly } from '../../core/queries/read-only-sql.js';
import type { QueryResult } from '../../pipeline/ports.js';
import { resultOf, StoreError } from './duckdb-store.js';

/** DuckDB's statement kinds in the words a user typed: INSTALL is a LOAD statement to DuckDB. */
const WORDS: Partial<Record<StatementType, string>> = {
  [StatementType.LOAD]: 'INSTALL or LOAD',
  [StatementType.CALL]: 'CALL or CHECKPOINT',
  [StatementType.VACUUM]: 'VACUUM or ANALYZE',
  [StatementType.MERGE_INTO]: 'MERGE',
  [StatementType.CREATE_FUNC]: 'CREATE FUNCTION',
  [StatementType.VARIABLE_SET]: 'SET VARIABLE',
  [StatementType.TRANSACTION]: 'BEGIN, COMMIT or ROLLBACK',
};

/** DuckDB refuses file access with this once enable_external_access is off. */
const FILE_ACCESS_REFUSED = /file system operations are disabled|external extensions is disabled/i;

/** DuckDB's refusal of file access as the read-only error, whether at prepare or at run; others as they are. */
function inWords(error: unknown): unknown {
  const message = (error as Error).message;
  return FILE_ACCESS_REFUSED.test(message) ? noFiles(message) : error;
}

/**
 * The store file opened for `query sql`: read-only (DuckDB refuses every write to it), with no file
 * or network access (COPY ... TO, read_csv, ATTACH, INSTALL are refused) and the configuration locked
 * (no SET can undo either). Each statement's kind is checked before anything runs, so the refusal
 * says what was asked ("DELETE is a write"), and a script whose last statement writes never runs
 * its first ones.
 */
export class DuckDbReadOnlyStore {
  private constructor(
    readonly description: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: Awaited<ReturnType<DuckDBInstance['connect']>>,
  ) {}

  static async open(path: string): Promise<DuckDbReadOnlyStore> {
    // An in-memory database cannot be opened read-only; it holds nothing to protect anyway.
    const access: Record<string, string> = path === ':memory:' ? {} : { access_mode: 'READ_ONLY' };
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, { ...access, enable_external_access: 'false' });
    } catch (error) {
      const message = (error as Error).message;
      const hint = /lock/i.test(message) ? ' (another tokentrail process is writing to it)' : '';
      throw new StoreError(`cannot open the DuckDB store ${path}${hint}: ${message}`);
    }
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run('SET lock_configuration = true');
    return new DuckDbReadOnlyStore(`duckdb:${path}`, instance, connection);
  }

  async sql(text: string): Promise<QueryResult> {
    const statements = await this.connection.extractStatements(text);
    for (let index = 0; index < statements.count; index += 1) {
      let type: StatementType;
      try {
        type = (await statements.prepare(index)).statementType;
      } catch (error) {
        throw inWords(error);
      }
      requireReadOnly(StatementType[type], WORDS[type]);
    }
    try {
      return resultOf(await this.connection.runAndReadAll(text));
    } catch (error) {
      throw inWords(error);
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
