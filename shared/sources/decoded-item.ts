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
      /**
       * The record's own bytes as text, when it was a whole framed value of a stream (a Records
       * element, an NDJSON line): what a quarantine keeps, so that position.offset locates them.
       */
      readonly text?: string;
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
      /**
       * The rejected bytes, all of them up to `maxValueBytes`: as UTF-8 text, except with code
       * `invalid_encoding` from the framer, where they are not UTF-8 and `raw` is their base64
       * (the message says so). Over the cap, the first 64 KiB (cut at a character boundary) and
       * `whole`. A value already parsed by someone else (a functions framework) has no bytes of
       * its own: `raw` is then its JSON serialization.
       */
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
