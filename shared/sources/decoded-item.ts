import type { RejectCode, SkipReason } from '../core/errors.js';
import type { AuditRecord } from '../core/normalize/audit-record.js';

/** How the record reached us: the outermost envelope it arrived in. */
export type Delivery =
  | 'cloudtrail-file'
  | 'eventbridge'
  | 'cloudwatch-logs'
  | 'pubsub'
  | 'eventarc'
  | 'cloudtrail-lookup'
  | 'plain';

export interface Position {
  /** Index of the top-level JSON value in the input. */
  readonly value: number;
  /** JSON-pointer-like path inside that value, e.g. `/Records/17` or `/awslogs/logEvents/2`. */
  readonly path: string;
  /** Byte offset of the value in the (decompressed) input, where known. */
  readonly offset: number;
}

export type DecodedItem =
  | {
      readonly type: 'record';
      readonly record: AuditRecord;
      readonly delivery: Delivery;
      readonly position: Position;
    }
  | {
      readonly type: 'skip';
      readonly reason: SkipReason;
      readonly delivery: Delivery;
      readonly position: Position;
    }
  | {
      readonly type: 'reject';
      readonly code: RejectCode;
      readonly message: string;
      /** The rejected bytes as text (the head only, for values over the size cap). */
      readonly raw: string;
      /**
       * Set only when `raw` is not the whole record (a value over the size cap): the byte length
       * and hex SHA-256 of all of its bytes, so the record can be found again and checked.
       */
      readonly whole?: WholeBytes;
      readonly delivery: Delivery;
      readonly position: Position;
    };

/** What identifies a record's bytes when only their head was kept. */
export interface WholeBytes {
  readonly bytes: number;
  readonly sha256: string;
}

export function at(position: Position, path: string): Position {
  return { ...position, path: position.path + path };
}
