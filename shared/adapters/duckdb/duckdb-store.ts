import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBResultReader,
  VARCHAR,
} from '@duckdb/node-api';
import type { NamedQuery, QueryParams } from '../../core/queries/named-queries.js';
import { COLUMNS } from '../../core/schema/columns.js';
import { duckDbSetup } from '../../core/schema/duckdb-ddl.js';
import { QUARANTINE_COLUMNS } from '../../core/schema/quarantine-columns.js';
import type { Row } from '../../core/schema/row.js';
import type { EventStore, QueryResult, Rejection, WriteResult } from '../../pipeline/ports.js';
import { quarantineRow } from '../store/quarantine-row.js';
import { toQueryCell } from './duckdb-values.js';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

type Columns = readonly { readonly name: string; readonly type: string }[];

/** Text for the all-VARCHAR staging table; the INSERT casts it back. */
function stagedText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function castFromText(column: { name: string; type: string }): string {
  const name = `"${column.name}"`;
  if (column.type === 'timestamp') return `CAST(${name} AS TIMESTAMPTZ)`;
  if (column.type === 'json') return `CAST(${name} AS JSON)`;
  return name;
}

function resultOf(result: DuckDBResultReader): QueryResult {
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
 * The embedded store: one DuckDB file. Rows are loaded in bulk (data chunks appended to a staging
 * table, then one INSERT OR IGNORE), so the primary key keeps one row per event_id however often
 * an event is ingested.
 */
export class DuckDbStore implements EventStore {
  readonly preferredBatchRows = 50_000;

  private constructor(
    readonly description: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens (creating if needed) the store file; `:memory:` gives a throwaway store. */
  static async open(path: string): Promise<DuckDbStore> {
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (error) {
      const message = (error as Error).message;
      const hint = /lock/i.test(message) ? ' (another tokentrail process has it open)' : '';
      throw new StoreError(`cannot open the DuckDB store ${path}${hint}: ${message}`);
    }
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    for (const statement of duckDbSetup()) await connection.run(statement);
    for (const [table, columns] of [
      ['staged_events', COLUMNS],
      ['staged_quarantine', QUARANTINE_COLUMNS],
    ] as const) {
      const text = columns.map((column) => `"${column.name}" VARCHAR`).join(', ');
      await connection.run(`CREATE TEMP TABLE ${table} (${text})`);
    }
    return new DuckDbStore(`duckdb:${path}`, instance, connection);
  }

  async writeRows(rows: readonly Row[]): Promise<WriteResult> {
    const written = await this.load('staged_events', 'events', COLUMNS, rows);
    return { written, duplicates: rows.length - written, refused: [] };
  }

  async writeQuarantine(rejections: readonly Rejection[], quarantinedAt: string): Promise<void> {
    const rows = rejections.map((rejection) => quarantineRow(rejection, quarantinedAt));
    await this.load('staged_quarantine', 'quarantine', QUARANTINE_COLUMNS, rows);
  }

  /** Appends records to a staging table chunk by chunk, then moves the new ones across; returns how many. */
  private async load(staging: string, table: string, columns: Columns, records: readonly object[]) {
    if (records.length === 0) return 0;
    await this.connection.run(`DELETE FROM ${staging}`);
    const appender = await this.connection.createAppender(staging);
    const types = columns.map(() => VARCHAR);
    for (let start = 0; start < records.length; start += CHUNK_ROWS) {
      const slice = records.slice(start, start + CHUNK_ROWS) as readonly Record<string, unknown>[];
      const chunk = DuckDBDataChunk.create(types, slice.length);
      columns.forEach((column, index) => {
        chunk.setColumnValues(
          index,
          slice.map((record) => stagedText(record[column.name])),
        );
      });
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    const insert = await this.connection.run(
      `INSERT OR IGNORE INTO ${table} SELECT ${columns.map(castFromText).join(', ')} FROM ${staging}`,
    );
    return insert.rowsChanged;
  }

  async query(query: NamedQuery, params: QueryParams): Promise<QueryResult> {
    const values: Record<string, string> = {};
    for (const name of query.params) {
      const value = params[name];
      if (value === undefined) throw new StoreError(`query ${query.name} needs the parameter ${name}`);
      values[name] = value;
    }
    return resultOf(await this.connection.runAndReadAll(query.duckdb, values));
  }

  async sql(text: string): Promise<QueryResult> {
    return resultOf(await this.connection.runAndReadAll(text));
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
