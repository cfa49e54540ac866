import type { Alert } from '../../core/alerts/alert.js';
import { mergeAlert } from '../../core/alerts/alert-state.js';
import { ALERT_COLUMNS, type AlertStatus, SENDER_OWNED_COLUMNS } from '../../core/schema/alert-columns.js';
import type { ColumnSpec } from '../../core/schema/columns.js';
import type { AlertRow } from '../../core/schema/row.js';
import { ALERTS_TABLE } from '../../core/schema/tables.js';
import type { AlertBook, DeliveryChange, QueryCell, QueryResult } from '../../pipeline/ports.js';

/** What one query job gave back: its rows, and for DML the rows it changed (null when the answer did not say). */
export interface StatementResult {
  readonly result: QueryResult;
  readonly affectedRows: number | null;
}

/** Runs one statement with STRING parameters only (the store's query path, with its retries). */
export type RunStatement = (
  text: string,
  params: Readonly<Record<string, string>>,
) => Promise<StatementResult>;

type AlertChange = Parameters<AlertBook['updateAlert']>[1];

const COLUMN_LIST = ALERT_COLUMNS.map((column) => column.name).join(', ');

/** The SQL value of one column of the JSON object `j` (a JSON value): JSON null and a missing key give NULL. */
function fromJson(column: ColumnSpec, json: string): string {
  const path = `'$.${column.name}'`;
  switch (column.type) {
    case 'string':
      return `JSON_VALUE(${json}, ${path})`;
    case 'integer':
      return `CAST(JSON_VALUE(${json}, ${path}) AS INT64)`;
    case 'boolean':
      return `CAST(JSON_VALUE(${json}, ${path}) AS BOOL)`;
    case 'timestamp':
      return `TIMESTAMP(JSON_VALUE(${json}, ${path}))`;
    case 'json':
      // On a JSON value JSON_QUERY returns JSON, which the JSON column takes as it is.
      return `JSON_QUERY(${json}, ${path})`;
  }
}

/**
 * Statements for the alerts table. It is written only with DML query jobs (MERGE, UPDATE), never
 * with insertAll: rows in the streaming buffer cannot be changed by DML for a while, and every
 * alert is changed later (delivered, failed, acked, grown).
 */
export function alertStatements(datasetRef: string) {
  const table = `\`${datasetRef}.${ALERTS_TABLE.name}\``;
  const select = (where: string) =>
    `SELECT ${COLUMN_LIST}\nFROM ${table}\n${where}\nORDER BY first_seen, alert_id`;
  const merged = ALERT_COLUMNS.filter(
    (column) => column.name !== 'alert_id' && !SENDER_OWNED_COLUMNS.has(column.name),
  );
  const update = (columns: readonly (typeof ALERT_COLUMNS)[number]['name'][]) => {
    const sets = ALERT_COLUMNS.filter((column) => columns.includes(column.name)).map(
      (column) => `  ${column.name} = ${fromJson(column, 'PARSE_JSON(@change)')}`,
    );
    return `UPDATE ${table}\nSET\n${sets.join(',\n')}\nWHERE alert_id = @alert_id`;
  };
  return {
    /** Every alert, or those with status `@status`. */
    list: (byStatus: boolean) => select(byStatus ? 'WHERE status = @status' : 'WHERE TRUE'),
    /** Pending and failed alerts; with `unconfirmed`, also those whose post may have landed. */
    toDeliver: (unconfirmed = false) =>
      select(`WHERE status IN ('pending', 'failed'${unconfirmed ? ", 'unconfirmed'" : ''})`),
    byId: select('WHERE alert_id = @alert_id'),
    /** The alerts whose ids are in `@ids`, a JSON array of strings. */
    byIds: select('WHERE alert_id IN UNNEST(JSON_VALUE_ARRAY(@ids))'),
    /**
     * Inserts one alert, `@row` (the whole AlertRow as a JSON object), or merges it into the stored
     * one without touching the delivery columns, so a merge racing a sender cannot undo its claim.
     */
    merge: `MERGE ${table} AS T
USING (
  SELECT
${ALERT_COLUMNS.map((column) => `    ${fromJson(column, 'j')} AS ${column.name}`).join(',\n')}
  FROM (SELECT PARSE_JSON(@row) AS j)
) AS S
ON T.alert_id = S.alert_id
WHEN MATCHED THEN UPDATE SET
${merged.map((column) => `  ${column.name} = S.${column.name}`).join(',\n')}
WHEN NOT MATCHED THEN INSERT (${COLUMN_LIST})
VALUES (${ALERT_COLUMNS.map((column) => `S.${column.name}`).join(', ')})`,
    /** Sets the named columns of alert `@alert_id` from `@change`, a JSON object holding them. */
    update,
    /**
     * The delivery columns from `@change`, only if the stored deliveries still have revision
     * `@revision` and the alert is not acknowledged: a conditional DML whose numDmlAffectedRows
     * says who won. BigQuery runs concurrent DML on one table one after another (or fails one),
     * so two claims cannot both match.
     */
    writeDeliveries: `${update(['deliveries', 'status', 'delivered_count', 'last_error', 'updated_at'])}
  AND status != 'acked'
  AND COALESCE(CAST(JSON_VALUE(deliveries, '$.revision') AS INT64), 0) = CAST(@revision AS INT64)`,
    /** Whether alert `@alert_id` exists, for an UPDATE answer that did not say how many rows it changed. */
    exists: `SELECT alert_id\nFROM ${table}\nWHERE alert_id = @alert_id\nLIMIT 1`,
  };
}

/** One alert as the `@row` parameter: every column in table order, absent values as JSON null. */
export function alertRowJson(row: AlertRow): string {
  const record = row as unknown as Readonly<Record<string, unknown>>;
  return JSON.stringify(
    Object.fromEntries(ALERT_COLUMNS.map((column) => [column.name, record[column.name] ?? null])),
  );
}

function deliveriesCellOf(cell: QueryCell | undefined): unknown {
  return typeof cell === 'string' ? JSON.parse(cell) : (cell ?? null);
}

function eventIdsOf(cell: QueryCell | undefined): string[] {
  const value: unknown = typeof cell === 'string' ? JSON.parse(cell) : cell;
  if (!Array.isArray(value)) throw new Error(`event_ids is not a JSON array: ${String(cell)}`);
  return value.map(String);
}

function integerOf(cell: QueryCell | undefined, name: string): number {
  const number = Number(cell);
  if (cell === null || cell === undefined || !Number.isSafeInteger(number)) {
    throw new Error(`${name} is not an integer: ${String(cell)}`);
  }
  return number;
}

/**
 * A query answer row (timestamps already canonical, INT64 as numbers, JSON as its text) as an
 * AlertRow: event_ids parsed into an array of strings, count and delivered_count as numbers.
 */
export function alertRowOf(cells: Readonly<Record<string, QueryCell>>): AlertRow {
  const record: Record<string, unknown> = {};
  for (const column of ALERT_COLUMNS) {
    const cell = cells[column.name];
    if (column.name === 'deliveries') record[column.name] = deliveriesCellOf(cell);
    else if (column.type === 'json') record[column.name] = eventIdsOf(cell);
    else if (column.type === 'integer') record[column.name] = integerOf(cell, column.name);
    else record[column.name] = cell ?? null;
  }
  return record as unknown as AlertRow;
}

/** The alerts table in BigQuery, through the store's query runner; the merge rules are mergeAlert's. */
export class BigQueryAlertBook implements AlertBook {
  private readonly statements: ReturnType<typeof alertStatements>;

  constructor(
    datasetRef: string,
    private readonly run: RunStatement,
  ) {
    this.statements = alertStatements(datasetRef);
  }

  async recordAlerts(alerts: readonly Alert[], at: string): Promise<AlertRow[]> {
    if (alerts.length > 0) {
      const ids = [...new Set(alerts.map((alert) => alert.alert_id))];
      const stored = new Map(
        (await this.rows(this.statements.byIds, { ids: JSON.stringify(ids) })).map((row) => [
          row.alert_id,
          row,
        ]),
      );
      const changed = new Map<string, AlertRow>();
      for (const alert of alerts) {
        const before = stored.get(alert.alert_id);
        const after = mergeAlert(before, alert, at);
        if (after === before) continue;
        stored.set(alert.alert_id, after);
        changed.set(alert.alert_id, after);
      }
      for (const row of changed.values()) {
        await this.run(this.statements.merge, { row: alertRowJson(row) });
      }
    }
    return this.alertsToDeliver();
  }

  alertsToDeliver(options: { readonly unconfirmed?: boolean } = {}): Promise<AlertRow[]> {
    return this.rows(this.statements.toDeliver(options.unconfirmed ?? false), {});
  }

  async getAlert(alertId: string): Promise<AlertRow | undefined> {
    const [row] = await this.rows(this.statements.byId, { alert_id: alertId });
    return row;
  }

  /** An answer that does not say how many rows changed counts as lost: never send on a doubt. */
  async writeDeliveries(
    alertId: string,
    revision: number,
    change: DeliveryChange,
    at: string,
  ): Promise<boolean> {
    const { affectedRows } = await this.run(this.statements.writeDeliveries, {
      alert_id: alertId,
      revision: String(revision),
      change: JSON.stringify({ ...change, updated_at: at }),
    });
    return affectedRows !== null && affectedRows > 0;
  }

  listAlerts(status?: AlertStatus): Promise<AlertRow[]> {
    return status === undefined
      ? this.rows(this.statements.list(false), {})
      : this.rows(this.statements.list(true), { status });
  }

  async updateAlert(alertId: string, change: AlertChange, at: string): Promise<boolean> {
    const values: Record<string, unknown> = { status: change.status };
    if (change.delivered_count !== undefined) values.delivered_count = change.delivered_count;
    if (change.last_error !== undefined) values.last_error = change.last_error;
    values.updated_at = at;
    const columns = Object.keys(values) as (typeof ALERT_COLUMNS)[number]['name'][];
    const { affectedRows } = await this.run(this.statements.update(columns), {
      alert_id: alertId,
      change: JSON.stringify(values),
    });
    if (affectedRows !== null) return affectedRows > 0;
    const { result } = await this.run(this.statements.exists, { alert_id: alertId });
    return result.rows.length > 0;
  }

  private async rows(text: string, params: Readonly<Record<string, string>>): Promise<AlertRow[]> {
    const { result } = await this.run(text, params);
    return result.rows.map(alertRowOf);
  }
}
