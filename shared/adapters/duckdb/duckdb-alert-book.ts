import type { DuckDBConnection } from '@duckdb/node-api';
import type { Alert } from '../../core/alerts/alert.js';
import { mergeAlert } from '../../core/alerts/alert-state.js';
import { ALERT_COLUMNS, type AlertStatus, SENDER_OWNED_COLUMNS } from '../../core/schema/alert-columns.js';
import type { ColumnType } from '../../core/schema/columns.js';
import type { AlertRow } from '../../core/schema/row.js';
import { ALERTS_TABLE } from '../../core/schema/tables.js';
import type { AlertBook, DeliveryChange } from '../../pipeline/ports.js';
import { toQueryCell } from './duckdb-values.js';

type AlertChange = Parameters<AlertBook['updateAlert']>[1];

const CASTS: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSON',
};

const COLUMN_LIST = ALERT_COLUMNS.map((column) => column.name).join(', ');
const param = (column: { readonly name: string; readonly type: ColumnType }) =>
  `CAST($${column.name} AS ${CASTS[column.type]})`;

/**
 * One alert in: inserted, or merged into the stored row without touching the delivery columns, so
 * a merge racing a sender cannot undo its claim.
 */
const UPSERT = `INSERT INTO ${ALERTS_TABLE.name} (${COLUMN_LIST})
VALUES (${ALERT_COLUMNS.map(param).join(', ')})
ON CONFLICT (alert_id) DO UPDATE SET
${ALERT_COLUMNS.filter((column) => column.name !== 'alert_id' && !SENDER_OWNED_COLUMNS.has(column.name))
  .map((column) => `  ${column.name} = excluded.${column.name}`)
  .join(',\n')}`;

/** The compare-and-set on the deliveries' revision; the changed-row count says who won. */
const WRITE_DELIVERIES = `UPDATE ${ALERTS_TABLE.name}
SET deliveries = CAST($deliveries AS JSON), status = $status, delivered_count = CAST($delivered_count AS BIGINT),
  last_error = $last_error, updated_at = CAST($updated_at AS TIMESTAMPTZ)
WHERE alert_id = $alert_id AND status <> 'acked'
  AND COALESCE(CAST(json_extract_string(deliveries, '$.revision') AS BIGINT), 0) = CAST($revision AS BIGINT)`;

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** DuckDB reports a write that raced another connection's as a transaction conflict. */
function isConflict(error: unknown): boolean {
  return /conflict/i.test((error as Error).message ?? '');
}

function isDuplicateKey(error: unknown): boolean {
  return /PRIMARY KEY or UNIQUE constraint violation|Duplicate key .* violates primary key/i.test(
    (error as Error).message ?? '',
  );
}

/**
 * The alerts table in the embedded store, on a connection of its own (so its statements never land
 * inside another operation's transaction); the merge rules are mergeAlert's.
 */
export class DuckDbAlertBook implements AlertBook {
  constructor(private readonly connection: DuckDBConnection) {}

  static async open(connect: () => Promise<DuckDBConnection>): Promise<DuckDbAlertBook> {
    const connection = await connect();
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckDbAlertBook(connection);
  }

  async recordAlerts(alerts: readonly Alert[], at: string): Promise<AlertRow[]> {
    const ids = JSON.stringify(alerts.map((alert) => alert.alert_id));
    const stored = new Map(
      (await this.readAlerts(`alert_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`, { ids })).map(
        (row) => [row.alert_id, row],
      ),
    );
    for (const alert of alerts) {
      const before = stored.get(alert.alert_id);
      const after = mergeAlert(before, alert, at);
      if (after === before) continue;
      stored.set(alert.alert_id, after);
      await this.upsert(after);
    }
    return this.alertsToDeliver();
  }

  alertsToDeliver(options: { readonly unconfirmed?: boolean } = {}): Promise<AlertRow[]> {
    return this.readAlerts(
      options.unconfirmed
        ? "status IN ('pending', 'failed', 'unconfirmed')"
        : "status IN ('pending', 'failed')",
    );
  }

  listAlerts(status?: AlertStatus): Promise<AlertRow[]> {
    return status === undefined ? this.readAlerts('TRUE') : this.readAlerts('status = $status', { status });
  }

  async getAlert(alertId: string): Promise<AlertRow | undefined> {
    const [row] = await this.readAlerts('alert_id = $id', { id: alertId });
    return row;
  }

  async updateAlert(alertId: string, change: AlertChange, at: string): Promise<boolean> {
    const values: Record<string, string | null> = { status: change.status, updated_at: at };
    if (change.delivered_count !== undefined) values.delivered_count = String(change.delivered_count);
    if (change.last_error !== undefined) values.last_error = change.last_error;
    const sets = ALERT_COLUMNS.filter((column) => column.name in values).map(
      (column) => `${column.name} = ${param(column)}`,
    );
    const result = await this.connection.run(
      `UPDATE ${ALERTS_TABLE.name} SET ${sets.join(', ')} WHERE alert_id = $alert_id`,
      { ...values, alert_id: alertId },
    );
    return result.rowsChanged > 0;
  }

  async writeDeliveries(
    alertId: string,
    revision: number,
    change: DeliveryChange,
    at: string,
  ): Promise<boolean> {
    try {
      const result = await this.connection.run(WRITE_DELIVERIES, {
        alert_id: alertId,
        revision: String(revision),
        deliveries: JSON.stringify(change.deliveries),
        status: change.status,
        delivered_count: String(change.delivered_count),
        last_error: change.last_error,
        updated_at: at,
      });
      return result.rowsChanged > 0;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  close(): void {
    this.connection.closeSync();
  }

  private async upsert(row: AlertRow): Promise<void> {
    const record = row as unknown as Readonly<Record<string, unknown>>;
    const values = Object.fromEntries(
      ALERT_COLUMNS.map((column) => [column.name, asText(record[column.name])]),
    );
    for (let tries = 1; ; tries++) {
      try {
        await this.connection.run(UPSERT, values);
        return;
      } catch (error) {
        // Another connection wrote the same alert at the same time. Ours goes in after it: event ids
        // only it saw may drop out until a later run (windows overlap) finds them again.
        // A new alert both inserted fails the later commit on the primary key: retried, it merges.
        if (!(isConflict(error) || isDuplicateKey(error)) || tries >= 3) throw error;
      }
    }
  }

  private async readAlerts(condition: string, params: Record<string, string> = {}): Promise<AlertRow[]> {
    const result = await this.connection.runAndReadAll(
      `SELECT * FROM ${ALERTS_TABLE.name} WHERE ${condition} ORDER BY first_seen, alert_id`,
      params,
    );
    const columns = result.columnNames();
    return result.getRows().map((values) => {
      const cells: Record<string, unknown> = {};
      values.forEach((value, index) => {
        cells[columns[index]!] = toQueryCell(value);
      });
      return {
        ...(cells as unknown as AlertRow),
        event_ids: JSON.parse(cells.event_ids as string) as string[],
        deliveries: typeof cells.deliveries === 'string' ? JSON.parse(cells.deliveries) : null,
      };
    });
  }
}
