import { ALERT_COLUMNS } from './alert-columns.js';
import { COLUMNS, type ColumnSpec } from './columns.js';
import { QUARANTINE_COLUMNS } from './quarantine-columns.js';

/** A stored table: its columns, the key that makes writes idempotent, and how BigQuery lays it out. */
export interface TableSpec {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnSpec[];
  readonly key: string;
  /**
   * The embedded store declares `key` its primary key. False for the tables ingest loads in bulk:
   * DuckDB holds a primary-key index whole in memory (about 100 bytes a row), so the store checks
   * each batch's keys against the table instead (docs/decisions/0004-duckdb-ingest.md).
   */
  readonly duckDbPrimaryKey: boolean;
  /**
   * A timestamp column the key determines: rows with one key have one time there, read from the
   * same record. The embedded store's duplicate check matches on it too, so DuckDB reads only the
   * stored rows in a batch's time range instead of every key (docs/decisions/0004-duckdb-ingest.md).
   */
  readonly keyTime?: string;
  /** The timestamp column BigQuery partitions by day on. */
  readonly partitionBy: string;
  /** BigQuery clustering, most selective common filter last (at most four columns). */
  readonly clusterBy: readonly string[];
}

export const EVENTS_TABLE: TableSpec = {
  name: 'events',
  description:
    'tokentrail: one row per federation event (token exchange, impersonation, data access, trust change).',
  columns: COLUMNS,
  key: 'event_id',
  duckDbPrimaryKey: false,
  keyTime: 'event_time',
  partitionBy: 'event_time',
  clusterBy: ['category', 'bucket', 'principal', 'subject'],
};

export const QUARANTINE_TABLE: TableSpec = {
  name: 'quarantine',
  description: 'tokentrail: records that could not be normalized, with their bytes and the reason.',
  columns: QUARANTINE_COLUMNS,
  key: 'quarantine_id',
  duckDbPrimaryKey: false,
  partitionBy: 'quarantined_at',
  clusterBy: ['code'],
};

export const ALERTS_TABLE: TableSpec = {
  name: 'alerts',
  description: 'tokentrail: one row per incident raised by the detection rules, with its delivery state.',
  columns: ALERT_COLUMNS,
  key: 'alert_id',
  duckDbPrimaryKey: true,
  partitionBy: 'first_seen',
  clusterBy: ['status', 'rule'],
};

export const TABLES: readonly TableSpec[] = [EVENTS_TABLE, QUARANTINE_TABLE, ALERTS_TABLE];
