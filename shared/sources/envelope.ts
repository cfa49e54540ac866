import type { RejectCode, SkipReason } from '../core/errors.js';
import type { JsonObject } from '../core/json-access.js';
import type { AuditRecord } from '../core/normalize/audit-record.js';
import { at, type DecodedItem, type Delivery, type Position } from './decoded-item.js';
import { type Kept, keepText, keepValue } from './kept-bytes.js';
import type { DecodeLimits } from './limits.js';
import { tooDeepMessage, valueNestsTooDeep } from './nesting.js';

export interface DecodeContext {
  readonly limits: DecodeLimits;
  /** The outermost envelope, which names the delivery of everything inside it. */
  readonly delivery: Delivery | null;
  readonly position: Position;
  readonly depth: number;
  /**
   * Whether the value being decoded is known to nest no deeper than MAX_DEPTH: it was parsed from
   * a text whose nesting was checked (by the framer or parseJson), or lies inside such a value.
   * Values parsed elsewhere (a functions framework, an SDK) are walked before a record is made.
   */
  readonly depthChecked: boolean;
  /**
   * Decodes a value found inside this envelope at `path` (content detection starts over).
   * `depthChecked` is true for a value just parsed by parseJson; it defaults to this context's.
   */
  nested(value: unknown, delivery: Delivery, path: string, depthChecked?: boolean): DecodedItem[];
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

/** A record, or a `too_large` rejection when it nests too deeply for anything after us to handle. */
export function recordItem(record: AuditRecord, context: DecodeContext, delivery: Delivery): DecodedItem {
  if (!context.depthChecked && valueNestsTooDeep(record.value)) {
    return rejectValue('too_large', tooDeepMessage('record'), record.value, context, delivery);
  }
  return { type: 'record', record, delivery: context.delivery ?? delivery, position: context.position };
}

export function skipItem(reason: SkipReason, context: DecodeContext, delivery: Delivery): DecodedItem {
  return { type: 'skip', reason, delivery: context.delivery ?? delivery, position: context.position };
}

/** A rejection keeping `raw` (a text: the original bytes where there are any) under the value cap. */
export function rejectItem(
  code: RejectCode,
  message: string,
  raw: string | Kept,
  context: DecodeContext,
  delivery: Delivery,
): DecodedItem {
  const kept = typeof raw === 'string' ? keepText(raw, context.limits.maxValueBytes) : raw;
  return {
    type: 'reject',
    code,
    message,
    raw: kept.raw,
    ...(kept.whole ? { whole: kept.whole } : {}),
    delivery: context.delivery ?? delivery,
    position: context.position,
  };
}

/** A rejection of a value that has no text of its own: serialized without recursion. */
export function rejectValue(
  code: RejectCode,
  message: string,
  value: unknown,
  context: DecodeContext,
  delivery: Delivery,
): DecodedItem {
  return rejectItem(code, message, keepValue(value, context.limits.maxValueBytes), context, delivery);
}
