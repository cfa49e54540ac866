import type { RejectCode } from '../core/errors.js';
import type { Row } from '../core/schema/row.js';
import type { Delivery, Position } from '../sources/decoded-item.js';

/** Where normalized rows go: stdout as NDJSON, DuckDB, BigQuery. */
export interface RowSink {
  write(rows: readonly Row[]): Promise<void>;
}

/** A record that could not be normalized, kept with its bytes so nothing is lost. */
export interface Rejection {
  /** The input it came from: a file name, `-`, an S3 key, a Pub/Sub message id. */
  readonly input: string;
  readonly code: RejectCode;
  readonly message: string;
  readonly raw: string;
  readonly delivery: Delivery;
  readonly position: Position;
}

/** The separate output for rejected records (Vector's dropped-events output; a dead-letter table). */
export interface Quarantine {
  put(rejections: readonly Rejection[]): Promise<void>;
}
