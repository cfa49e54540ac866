import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBResultReader,
  VARCHAR,
} from '@duckdb/node-api';
import type { Alert } from '../../core/alerts/alert.js';
import { mergeAlert } from '../../core/alerts/alert-state.js';
import type { NamedQuery, QueryParams } from '../../core/queries/named-queries.js';
import type { AlertStatus } from '../../core/schema/alert-columns.js';
import { duckDbSetup } from '../../core/schema/duckdb-ddl.js';
import type { AlertRow, Row } from '../../core/schema/row.js';
import { ALERTS_TABLE, EVENTS_TABLE, QUARANTINE_TABLE, type TableSpec } from '../../core/schema/tables.js';
import type { AlertBook, EventStore, QueryResult, Rejection, WriteResult } from '../../pipeline/ports.js';
import { quarantineRow } from '../store/quarantine-row.js';
import { toQueryCell } from './duckdb-values.js';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** Every value goes in as text (JSON for the raw record and positions); DuckDB casts it on append. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
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
 * The embedded store: one DuckDB file. Rows are loaded in bulk (data chunks through the appender),
 * and only those whose event_id is new, so one row per event_id however often an event is
 * ingested; the primary key backs that up.
 */
export class DuckDbStore implements EventStore, AlertBook {
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
    await connection.run('CREATE TEMP TABLE staged_keys (key VARCHAR)');
    return new DuckDbStore(`duckdb:${path}`, instance, connection);
  }

  async writeRows(rows: readonly Row[]): Promise<WriteResult> {
    const written = await this.load(EVENTS_TABLE, rows);
    return { written, duplicates: rows.length - written, refused: [] };
  }

  async writeQuarantine(rejections: readonly Rejection[], quarantinedAt: string): Promise<void> {
    const rows = rejections.map((rejection) => quarantineRow(rejection, quarantinedAt));
    await this.load(QUARANTINE_TABLE, rows);
  }

  /**
   * Appends the records whose key the table does not hold yet, in one transaction; returns how many.
   * Appending straight into the table (DuckDB casts the text columns) measured a third faster than
   * staging everything and moving it with INSERT OR IGNORE; the key check costs one small join.
   */
  private async load(
    table: TableSpec,
    records: readonly Readonly<Record<string, unknown>>[],
  ): Promise<number> {
    const byKey = new Map<string, Readonly<Record<string, unknown>>>();
    for (const record of records) byKey.set(record[table.key] as string, record);
    if (byKey.size === 0) return 0;
    await this.connection.run('BEGIN TRANSACTION');
    try {
      for (const key of await this.storedKeys(table, [...byKey.keys()])) byKey.delete(key);
      await this.append(table.name, table.columns, [...byKey.values()]);
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
    return byKey.size;
  }

  private async storedKeys(table: TableSpec, keys: readonly string[]): Promise<string[]> {
    await this.connection.run('DELETE FROM staged_keys');
    await this.append(
      'staged_keys',
      [{ name: 'key' }],
      keys.map((key) => ({ key })),
    );
    const stored = await this.connection.runAndReadAll(
      `SELECT key FROM staged_keys JOIN ${table.name} ON ${table.name}.${table.key} = staged_keys.key`,
    );
    return stored.getRows().map(([key]) => key as string);
  }

  /** Appends records as text, a data chunk at a time; DuckDB casts each column to its type. */
  private async append(
    table: string,
    columns: readonly { readonly name: string }[],
    records: readonly Readonly<Record<string, unknown>>[],
  ): Promise<void> {
    if (records.length === 0) return;
    const appender = await this.connection.createAppender(table);
    const types = columns.map(() => VARCHAR);
    for (let start = 0; start < records.length; start += CHUNK_ROWS) {
      const slice = records.slice(start, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, slice.length);
      columns.forEach((column, index) => {
        chunk.setColumnValues(
          index,
          slice.map((record) => asText(record[column.name])),
        );
      });
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  }

  async recordAlerts(alerts: readonly Alert[], at: string): Promise<AlertRow[]> {
    const ids = JSON.stringify(alerts.map((alert) => alert.alert_id));
    const stored = new Map(
      (await this.readAlerts(`alert_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`, { ids })).map(
        (row) => [row.alert_id, row],
      ),
    );
    const changed: AlertRow[] = [];
    for (const alert of alerts) {
      const before = stored.get(alert.alert_id);
      const after = mergeAlert(before, alert, at);
      if (after !== before) changed.push(after);
    }
    await this.replaceAlerts(changed);
    return this.alertsToDeliver();
  }

  alertsToDeliver(): Promise<AlertRow[]> {
    return this.readAlerts("status IN ('pending', 'failed')");
  }

  listAlerts(status?: AlertStatus): Promise<AlertRow[]> {
    return status === undefined ? this.readAlerts('TRUE') : this.readAlerts('status = $status', { status });
  }

  async updateAlert(
    alertId: string,
    change: {
      readonly status: AlertStatus;
      readonly delivered_count?: number;
      readonly last_error?: string | null;
    },
    at: string,
  ): Promise<boolean> {
    const [row] = await this.readAlerts('alert_id = $id', { id: alertId });
    if (row === undefined) return false;
    await this.replaceAlerts([{ ...row, ...change, updated_at: at }]);
    return true;
  }

  private async readAlerts(condition: string, params: Record<string, string> = {}): Promise<AlertRow[]> {
    const result = await this.connection.runAndReadAll(
      `SELECT * FROM alerts WHERE ${condition} ORDER BY first_seen, alert_id`,
      params,
    );
    return resultOf(result).rows.map((cells) => ({
      ...(cells as unknown as AlertRow),
      event_ids: JSON.parse(cells.event_ids as string) as string[],
    }));
  }

  /** Alerts are few: rewrite the changed rows (delete and append) in one transaction. */
  private async replaceAlerts(rows: readonly AlertRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await this.connection.run('DELETE FROM staged_keys');
      await this.append(
        'staged_keys',
        [{ name: 'key' }],
        rows.map((row) => ({ key: row.alert_id })),
      );
      await this.connection.run('DELETE FROM alerts WHERE alert_id IN (SELECT key FROM staged_keys)');
      await this.append(ALERTS_TABLE.name, ALERTS_TABLE.columns, rows);
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
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
