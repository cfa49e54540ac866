import type { RejectCode, SkipReason } from '../errors.js';
import type { JsonObject } from '../json-access.js';
import type { Row } from '../schema/row.js';
import type { Relevance } from './relevance.js';

/** A record as it sits inside any envelope: one CloudTrail event or one GCP LogEntry. */
export type AuditRecord =
  | { readonly format: 'cloudtrail'; readonly value: JsonObject }
  | { readonly format: 'logentry'; readonly value: JsonObject };

export type NormalizeOutcome =
  | { readonly type: 'row'; readonly kind: string; readonly row: Row }
  | { readonly type: 'skip'; readonly reason: SkipReason }
  | { readonly type: 'reject'; readonly code: RejectCode; readonly message: string };

/** One event kind: `matches` is a cheap test on names; `normalize` may throw a RejectError. */
export interface Normalizer {
  readonly kind: string;
  matches(record: JsonObject): boolean;
  normalize(record: JsonObject): Row;
}

/** A CloudTrail kind: `matches` is exactly `relevance`, so raw bytes can be judged by it unparsed. */
export interface CloudTrailNormalizer extends Normalizer {
  readonly relevance: Relevance;
}
