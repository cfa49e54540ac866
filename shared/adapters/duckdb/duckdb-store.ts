import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBResultReader,
  DuckDBVarCharType,
  VARCHAR,
} from '@duckdb/node-api';
import type { Alert } from '../../core/alerts/alert.js';
import type { NamedQuery, QueryParams } from '../../core/queries/named-queries.js';
import type { AlertStatus } from '../../core/schema/alert-columns.js';
import { duckDbSetup, quoteIdentifier } from '../../core/schema/duckdb-ddl.js';
import type { AlertRow, Row } from '../../core/schema/row.js';
import { EVENTS_TABLE, QUARANTINE_TABLE, type TableSpec } from '../../core/schema/tables.js';
import type {
  AlertBook,
  DeliveryChange,
  EventStore,
  QueryResult,
  RawTexts,
  Rejection,
  WriteResult,
} from '../../pipeline/ports.js';
import { quarantineRow } from '../store/quarantine-row.js';
import { DuckDbAlertBook } from './duckdb-alert-book.js';
import { columnTexts, toQueryCell } from './duckdb-values.js';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

/**
 * The appender's type for a JSON column: DuckDB's JSON (text under that alias), so the text is
 * stored as given instead of cast from VARCHAR, which parses every value again. Every text the
 * store appends there is valid JSON: a record's own text (JSON.parse took it) or JSON.stringify's.
 */
const JSON_TEXT = DuckDBVarCharType.create('JSON');

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** The name the store file is attached under; every connection uses it. */
const STORE_DATABASE = 'store';

/**
 * Rows a load transaction takes before it commits; the rest commit when the ingest finishes
 * (`commit`), a query runs or the store closes. Loads span many batches because DuckDB writes each
 * full row group of a large transaction straight to the file, where a transaction per batch went
 * through the write-ahead log and a checkpoint's rewrite (docs/decisions/0004-duckdb-ingest.md).
 * A failed batch rolls back to the last commit; ingest is idempotent, so running it again restores
 * what was lost.
 */
const COMMIT_ROWS = 100_000;

/**
 * Rows per row group in the store file, a sixth of DuckDB's default: each checkpoint rewrites the
 * last, partly filled row group, so its size bounds the memory and time of a checkpoint during a
 * load of rows carrying `raw` (docs/decisions/0004-duckdb-ingest.md).
 */
const ROW_GROUP_ROWS = 16_384;

/** A SQL string literal: the text in single quotes, each quote doubled. */
function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** An instance with the store file attached (row group size is an ATTACH option, not a setting). */
async function attach(path: string): Promise<DuckDBInstance> {
  if (path === ':memory:') return DuckDBInstance.create(path);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH ${sqlText(path)} AS ${STORE_DATABASE} (ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  connection.closeSync();
  return instance;
}

/** Of `tables`, those the open store file declares a primary key on. */
async function tablesWithPrimaryKey(
  connection: DuckDBConnection,
  tables: readonly TableSpec[],
): Promise<TableSpec[]> {
  const result = await connection.runAndReadAll(
    "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database() AND schema_name = 'main'",
  );
  const names = new Set(result.getRows().map(([name]) => name));
  return tables.filter((table) => names.has(table.name));
}

/**
 * DuckDB's buffer pool cap while a load is open, beside its key indexes (below). Its default, 80 %
 * of the machine's memory, lets it keep every block a load writes, so a process's memory grew with
 * its input. Queries get the default back: at 256 MiB the store bench's 10M-row store failed to pin
 * a block (docs/decisions/0004-duckdb-ingest.md). A file store spills past the cap to disk.
 */
const LOAD_MEMORY_LIMIT_BYTES = 64 * 1024 ** 2;

/**
 * What a key costs in DuckDB's primary-key index beyond its own bytes: a million UUID keys (36
 * bytes) measured 90 MiB. DuckDB holds a table's index in memory, all of it once a batch of random
 * keys is inserted, and cannot spill it, so a load's cap grows with the index: at a fixed 96 MiB a
 * store of a million events could no longer be loaded into. Stores made since have no such index
 * on the tables ingest loads (`duckDbPrimaryKey`); older ones keep theirs, since DuckDB cannot drop
 * a constraint (docs/decisions/0004-duckdb-ingest.md).
 */
const KEY_INDEX_BYTES_PER_KEY = 64;

/**
 * The write-ahead log size that triggers a checkpoint. DuckDB's 16 MiB default checkpoints after
 * nearly every batch of rows carrying `raw`, the slowest part of a load; a large value leaves one
 * big checkpoint, and its memory, for close (docs/decisions/0004-duckdb-ingest.md).
 */
const CHECKPOINT_WAL_BYTES = 64 * 1024 ** 2;

/** A result as rows of query cells; the read-only store (duckdb-read-only.ts) reads with it too. */
export function resultOf(result: DuckDBResultReader): QueryResult {
  const columns = result.columnNames();
  const rows = result.getRows().map((values) => {
    const row: Record<string, ReturnType<typeof toQueryCell>> = {};
    values.forEach((value, index) => {
      row[columns[index]!] = toQueryCell(value);
    });
    return row;
  });
  return { columns, rows };
}

/**
 * What makes a record one event in `table`: its key, and its time where the key determines one
 * (`keyTime`), as the duplicate check against the table matches them. The time is canonical text
 * without a line break, so the pair reads back one way.
 */
function identityOf(table: TableSpec, record: Readonly<Record<string, unknown>>): string {
  const key = record[table.key] as string;
  return table.keyTime === undefined ? key : `${String(record[table.keyTime])}\n${key}`;
}

/**
 * The embedded store: one DuckDB file. Rows are loaded in bulk (data chunks through the appender),
 * and only those whose event (event_id and event_time) is new, checked against the table inside
 * the load's transaction, so one row per event however often it is ingested. One process holds the
 * file at a time (DuckDB locks it), so no other writer can slip a row in between the check and
 * the append.
 */
export class DuckDbStore implements EventStore, AlertBook {
  readonly preferredBatchRows = 4096;
  readonly writesRawFromText = true;
  readonly keepsOneRowPerEvent = true;
  /** Rows loaded since the open load transaction began; none is open while this is undefined. */
  private uncommittedRows: number | undefined;
  /** True from a load's first batch until the next query: DuckDB runs under the load's memory cap. */
  private loading = false;

  private constructor(
    readonly description: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** The alerts table (duckdb-alert-book.ts), on its own connection. */
    private readonly alerts: DuckDbAlertBook,
  ) {}

  /**
   * The loaded tables that still carry a primary key (the store file predates `duckDbPrimaryKey`),
   * read at the first load, so opening the store to query it does not ask.
   */
  private indexedTables?: readonly TableSpec[];

  /** Opens (creating if needed) the store file; `:memory:` gives a throwaway store. */
  static async open(path: string): Promise<DuckDbStore> {
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await attach(path);
    } catch (error) {
      const message = (error as Error).message;
      const hint = /lock/i.test(message) ? ' (another tokentrail process has it open)' : '';
      throw new StoreError(`cannot open the DuckDB store ${path}${hint}: ${message}`);
    }
    const connect = async () => {
      const connection = await instance.connect();
      if (path !== ':memory:') await connection.run(`USE ${STORE_DATABASE}`);
      return connection;
    };
    const connection = await connect();
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(`SET checkpoint_threshold = '${CHECKPOINT_WAL_BYTES}B'`);
    // The instance itself is in memory (the file is attached), whose default spill directory is
    // `.tmp` in the working directory: spill beside the store file instead.
    if (path !== ':memory:') await connection.run(`SET temp_directory = ${sqlText(`${path}.tmp`)}`);
    for (const statement of duckDbSetup()) await connection.run(statement);
    await connection.run('CREATE TEMP TABLE staged_keys (idx INTEGER, key VARCHAR, key_time TIMESTAMPTZ)');
    const alerts = await DuckDbAlertBook.open(connect);
    return new DuckDbStore(`duckdb:${path}`, instance, connection, alerts);
  }

  async writeRows(rows: readonly Row[], rawTexts?: RawTexts): Promise<WriteResult> {
    const written = await this.load(EVENTS_TABLE, rows, rawTexts);
    return { written, duplicates: rows.length - written, refused: [] };
  }

  async writeQuarantine(rejections: readonly Rejection[], quarantinedAt: string): Promise<void> {
    const rows = rejections.map((rejection) => quarantineRow(rejection, quarantinedAt));
    await this.load(QUARANTINE_TABLE, rows);
  }

  /**
   * Appends the records whose key the table does not hold yet, in one transaction; returns how many.
   * Appending straight into the table (DuckDB casts the text columns) measured faster than staging
   * them and moving them with INSERT OR IGNORE (docs/decisions/0004-duckdb-ingest.md).
   */
  private async load(
    table: TableSpec,
    records: readonly Readonly<Record<string, unknown>>[],
    rawTexts?: RawTexts,
  ): Promise<number> {
    const latest = new Map<string, number>();
    // The last record of each event, by index, so its raw text stays with it.
    for (let i = 0; i < records.length; i++) latest.set(identityOf(table, records[i]!), i);
    if (latest.size === 0) return 0;
    if (this.uncommittedRows === undefined) {
      await this.connection.run(`SET memory_limit = '${await this.loadMemoryLimit()}B'`);
      this.loading = true;
      await this.connection.run('BEGIN TRANSACTION');
      this.uncommittedRows = 0;
    }
    const candidates = [...latest.values()];
    let indexes: number[];
    try {
      const stored = await this.storedIndexes(table, records, candidates);
      indexes = candidates.filter((index) => !stored.has(index));
      await this.append(
        table.name,
        table.columns,
        indexes.map((i) => records[i]!),
        rawTexts && indexes.map((i) => rawTexts[i]),
      );
      this.uncommittedRows += indexes.length;
      if (this.uncommittedRows >= COMMIT_ROWS) await this.commitLoad();
    } catch (error) {
      this.uncommittedRows = undefined;
      await this.connection.run('ROLLBACK');
      throw error;
    }
    return indexes.length;
  }

  /**
   * The buffer pool cap for the next load transaction: the base cap, plus the key indexes an older
   * store file still has, of the rows stored and of the rows the transaction may add.
   */
  private async loadMemoryLimit(): Promise<number> {
    this.indexedTables ??= await tablesWithPrimaryKey(this.connection, [EVENTS_TABLE, QUARANTINE_TABLE]);
    if (this.indexedTables.length === 0) return LOAD_MEMORY_LIMIT_BYTES;
    const indexBytes = (table: TableSpec) => {
      const added = table === EVENTS_TABLE ? COMMIT_ROWS : 0;
      return `(SELECT (count(*) + ${added}) * (coalesce(avg(strlen(${quoteIdentifier(table.key)})), 64) + ${KEY_INDEX_BYTES_PER_KEY}) FROM ${quoteIdentifier(table.name)})`;
    };
    const result = await this.connection.run(`SELECT ${this.indexedTables.map(indexBytes).join(' + ')}`);
    const [row] = await result.getRows();
    return LOAD_MEMORY_LIMIT_BYTES + Math.ceil(Number(row?.[0] ?? 0));
  }

  /** Ends the open load transaction, if any. */
  private async commitLoad(): Promise<void> {
    if (this.uncommittedRows === undefined) return;
    this.uncommittedRows = undefined;
    await this.connection.run('COMMIT');
  }

  /** Commits what a load left open and gives queries their memory back. */
  async commit(): Promise<void> {
    await this.commitLoad();
    if (!this.loading) return;
    this.loading = false;
    await this.connection.run('RESET memory_limit');
  }

  /**
   * Of the records at `indexes`, those whose event the table holds already. Where the key
   * determines a time (`keyTime`), the join matches on it too: DuckDB then passes the batch's time
   * range down to the scan and skips row groups outside it, where a join on the key alone read
   * every stored key for each batch (77 ms a batch at 4M events, 4 ms with the time).
   */
  private async storedIndexes(
    table: TableSpec,
    records: readonly Readonly<Record<string, unknown>>[],
    indexes: readonly number[],
  ): Promise<Set<number>> {
    await this.connection.run('DELETE FROM staged_keys');
    const staged = indexes.map((index) => ({
      idx: index,
      key: records[index]![table.key],
      key_time: table.keyTime === undefined ? null : records[index]![table.keyTime],
    }));
    await this.append('staged_keys', [{ name: 'idx' }, { name: 'key' }, { name: 'key_time' }], staged);
    const time = table.keyTime === undefined ? '' : ` AND t.${quoteIdentifier(table.keyTime)} = s.key_time`;
    const stored = await this.connection.runAndReadAll(
      `SELECT s.idx FROM staged_keys s JOIN ${quoteIdentifier(table.name)} t ON t.${quoteIdentifier(table.key)} = s.key${time}`,
    );
    return new Set(stored.getRows().map(([index]) => Number(index)));
  }

  /** Appends records as text, a data chunk at a time. */
  private async append(
    table: string,
    columns: readonly { readonly name: string; readonly type?: string }[],
    records: readonly Readonly<Record<string, unknown>>[],
    rawTexts?: RawTexts,
  ): Promise<void> {
    if (records.length === 0) return;
    const appender = await this.connection.createAppender(table);
    // One chunk, reset after each append: a chunk's text is native memory the garbage collector
    // does not count, so a chunk per 2,048 rows would be freed only when V8 next happens to collect.
    const chunk = DuckDBDataChunk.create(
      columns.map((column) => (column.type === 'json' ? JSON_TEXT : VARCHAR)),
    );
    try {
      for (let start = 0; start < records.length; start += CHUNK_ROWS) {
        const end = Math.min(records.length, start + CHUNK_ROWS);
        const slice = records.slice(start, end);
        const texts = rawTexts?.slice(start, end);
        chunk.reset();
        chunk.rowCount = slice.length;
        columns.forEach((column, index) => {
          chunk.setColumnValues(index, columnTexts(column.name, slice, texts));
        });
        appender.appendDataChunk(chunk);
      }
    } finally {
      chunk.reset();
      appender.closeSync();
    }
  }

  recordAlerts(alerts: readonly Alert[], at: string): Promise<AlertRow[]> {
    return this.alerts.recordAlerts(alerts, at);
  }

  alertsToDeliver(options?: { readonly unconfirmed?: boolean }): Promise<AlertRow[]> {
    return this.alerts.alertsToDeliver(options);
  }

  listAlerts(status?: AlertStatus): Promise<AlertRow[]> {
    return this.alerts.listAlerts(status);
  }

  getAlert(alertId: string): Promise<AlertRow | undefined> {
    return this.alerts.getAlert(alertId);
  }

  updateAlert(
    alertId: string,
    change: Parameters<AlertBook['updateAlert']>[1],
    at: string,
  ): Promise<boolean> {
    return this.alerts.updateAlert(alertId, change, at);
  }

  writeDeliveries(alertId: string, revision: number, change: DeliveryChange, at: string): Promise<boolean> {
    return this.alerts.writeDeliveries(alertId, revision, change, at);
  }

  async query(query: NamedQuery, params: QueryParams): Promise<QueryResult> {
    await this.commit();
    const values: Record<string, string> = {};
    for (const name of query.params) {
      const value = params[name];
      if (value === undefined) throw new StoreError(`query ${query.name} needs the parameter ${name}`);
      values[name] = value;
    }
    return resultOf(await this.connection.runAndReadAll(query.duckdb, values));
  }

  async sql(text: string): Promise<QueryResult> {
    await this.commit();
    return resultOf(await this.connection.runAndReadAll(text));
  }

  async close(): Promise<void> {
    await this.commitLoad();
    this.alerts.close();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
