import type { Alert } from '../core/alerts/alert.js';
import type { Deliveries, DeliverySummary } from '../core/alerts/alert-deliveries.js';
import type { RejectCode } from '../core/errors.js';
import type { NamedQuery, QueryParams } from '../core/queries/named-queries.js';
import type { QueryCell, QueryResult } from '../core/queries/query-result.js';
import type { AlertStatus } from '../core/schema/alert-columns.js';
import type { AlertRow, Row } from '../core/schema/row.js';
import type { Delivery, Position, WholeBytes } from '../sources/decoded-item.js';

export type { QueryCell, QueryResult };

/**
 * The JSON text each row's `raw` was parsed from, index for index (undefined where the record had
 * no text of its own), so a store that keeps `raw` as text need not serialize it again. It never
 * changes what `raw` is: sinks that write the parsed value (NDJSON, BigQuery) ignore it.
 */
export type RawTexts = readonly (string | undefined)[];

/** Where normalized rows go: stdout as NDJSON, DuckDB, BigQuery. */
export interface RowSink {
  write(rows: readonly Row[], rawTexts?: RawTexts): Promise<void>;
}

/** A record that could not be normalized, kept with its bytes so nothing is lost. */
export interface Rejection {
  /** The input it came from: a file name, `-`, an S3 key, a Pub/Sub message id. */
  readonly input: string;
  readonly code: RejectCode;
  readonly message: string;
  readonly raw: string;
  /** Length and SHA-256 of the whole record, set when `raw` holds only its head. */
  readonly whole?: WholeBytes;
  readonly delivery: Delivery;
  readonly position: Position;
}

/** The separate output for rejected records (Vector's dropped-events output; a dead-letter table). */
export interface Quarantine {
  put(rejections: readonly Rejection[]): Promise<void>;
}

/** Time enters the pipeline here, never from the system clock directly. */
export interface Clock {
  now(): Date;
}

/** What a store did with a batch of rows. */
export interface WriteResult {
  /** Rows newly stored. */
  readonly written: number;
  /** Rows whose event_id the store already held (0 where the store cannot tell, e.g. BigQuery). */
  readonly duplicates: number;
  /** Rows the store refused for the row's own fault; the caller quarantines them. */
  readonly refused: readonly { readonly row: Row; readonly reason: string }[];
}

/**
 * Where rows live and questions are answered: the embedded DuckDB file or BigQuery. Writes are
 * idempotent on event_id (and quarantine_id); a transient failure that outlasts the store's own
 * retries rejects the promise, so the trigger can redeliver.
 */
export interface EventStore {
  /** A readable name for messages, e.g. `duckdb:.tokentrail/tokentrail.duckdb`. */
  readonly description: string;
  /** How many rows a write should carry; the caller buffers up to this. */
  readonly preferredBatchRows: number;
  /**
   * True when the store writes `raw` from a row's text wherever `writeRows` is given one, so a row
   * buffered for it need not keep the parsed record, by far its largest part.
   */
  readonly writesRawFromText?: boolean;
  /** True when the store keeps exactly one row per event_id however often the event is written. */
  readonly keepsOneRowPerEvent?: boolean;
  writeRows(rows: readonly Row[], rawTexts?: RawTexts): Promise<WriteResult>;
  /** Makes every write so far durable and visible to other readers (a store that batches commits). */
  commit?(): Promise<void>;
  /** Keeps rejected records; the store derives each quarantine_id from the record, so rewrites are idempotent. */
  writeQuarantine(rejections: readonly Rejection[], quarantinedAt: string): Promise<void>;
  query(query: NamedQuery, params: QueryParams): Promise<QueryResult>;
  /** The user's own SQL, in the store's dialect. */
  sql(text: string): Promise<QueryResult>;
  close(): Promise<void>;
}

/** The alerts table: incidents and their delivery state. */
export interface AlertBook {
  /** Records a run's alerts (merged with what is stored) and returns every alert that needs delivering. */
  recordAlerts(alerts: readonly Alert[], at: string): Promise<AlertRow[]>;
  /** Pending and failed alerts; with `unconfirmed`, also those whose post may have landed. */
  alertsToDeliver(options?: { readonly unconfirmed?: boolean }): Promise<AlertRow[]>;
  listAlerts(status?: AlertStatus): Promise<AlertRow[]>;
  getAlert(alertId: string): Promise<AlertRow | undefined>;
  /** Resolves false when no alert has that id. */
  updateAlert(
    alertId: string,
    change: {
      readonly status: AlertStatus;
      readonly delivered_count?: number;
      readonly last_error?: string | null;
    },
    at: string,
  ): Promise<boolean>;
  /**
   * A compare-and-set of the delivery columns: written only if the stored deliveries still have
   * revision `revision` and the alert is not acknowledged. False when another writer got there
   * first (or the store cannot tell), so the caller re-reads; never true for a write that lost.
   */
  writeDeliveries(alertId: string, revision: number, change: DeliveryChange, at: string): Promise<boolean>;
}

export interface DeliveryChange extends DeliverySummary {
  readonly deliveries: Deliveries;
}

/** What one send did. `unconfirmed`: the post went out but its answer was lost, so it may have landed. */
export interface SendResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly unconfirmed?: boolean;
  /** Posts made (1 when not said). */
  readonly attempts?: number;
}

/** A chat channel (Slack, Google Chat, Teams): sends one alert, or an update to one it sent before. */
export interface AlertChannel {
  /** For messages, never the webhook URL. */
  readonly name: string;
  /** Stable and unique per webhook, for the delivery state (default: the name). Never the URL. */
  readonly key?: string;
  /** `previouslyDelivered`: the count this channel last confirmed for this incident, 0 when it is new. */
  send(alert: Alert, previouslyDelivered: number): Promise<SendResult>;
}
