import type { RejectCode, SkipReason } from '../core/errors.js';
import type { JsonObject } from '../core/json-access.js';
import type { AuditRecord } from '../core/normalize/audit-record.js';
import { at, type DecodedItem, type Delivery, type Position } from './decoded-item.js';
import type { DecodeLimits } from './limits.js';

export interface DecodeContext {
  readonly limits: DecodeLimits;
  /** The outermost envelope, which names the delivery of everything inside it. */
  readonly delivery: Delivery | null;
  readonly position: Position;
  readonly depth: number;
  /** Decodes a value found inside this envelope at `path` (content detection starts over). */
  nested(value: unknown, delivery: Delivery, path: string): DecodedItem[];
}

/** One delivery envelope: a cheap `matches` on keys, and a total `decode` (it may throw RejectError). */
export interface Envelope {
  readonly delivery: Delivery;
  matches(value: JsonObject): boolean;
  decode(value: JsonObject, context: DecodeContext): DecodedItem[];
}

/** The same context, positioned at `path` inside the current value. */
export function within(context: DecodeContext, path: string): DecodeContext {
  return { ...context, position: at(context.position, path) };
}

export function recordItem(record: AuditRecord, context: DecodeContext, delivery: Delivery): DecodedItem {
  return { type: 'record', record, delivery: context.delivery ?? delivery, position: context.position };
}

export function skipItem(reason: SkipReason, context: DecodeContext, delivery: Delivery): DecodedItem {
  return { type: 'skip', reason, delivery: context.delivery ?? delivery, position: context.position };
}

export function rejectItem(
  code: RejectCode,
  message: string,
  raw: string,
  context: DecodeContext,
  delivery: Delivery,
): DecodedItem {
  return {
    type: 'reject',
    code,
    message,
    raw,
    delivery: context.delivery ?? delivery,
    position: context.position,
  };
}
