import type { JsonObject } from '../json-access.js';

/** One top-level field of a record: its value is one of `oneOf` (strings), or the field is absent and `orAbsent`. */
export interface FieldTest {
  readonly field: string;
  readonly oneOf: readonly string[];
  readonly orAbsent?: boolean;
}

/**
 * Which records a normalizer can match, as data: any clause whose field tests all pass. The
 * normalizer's `matches` is this test, so a reader of raw bytes (shared/sources/prefilter.ts) can
 * decide from the same description which records no normalizer would take.
 */
export interface Relevance {
  readonly anyOf: readonly (readonly FieldTest[])[];
  /**
   * Keys that, held anywhere in a record (at any depth), make it one a normalizer may take by a
   * nested test the clauses cannot express: a byte reader must parse such a record.
   */
  readonly nestedKeys?: readonly string[];
}

function passes(record: JsonObject, test: FieldTest): boolean {
  const value = record[test.field];
  if (value === undefined) return test.orAbsent === true;
  return typeof value === 'string' && test.oneOf.includes(value);
}

export function isRelevant(record: JsonObject, relevance: Relevance): boolean {
  // Plain loops: this is every CloudTrail record's match, and the prefilter's, on the hot path.
  for (const clause of relevance.anyOf) {
    let all = true;
    for (const test of clause) {
      if (!passes(record, test)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

/** Every field some clause reads. */
export function relevanceFields(relevance: Relevance): string[] {
  return [...new Set(relevance.anyOf.flatMap((clause) => clause.map((test) => test.field)))];
}

export function unionOf(relevances: readonly Relevance[]): Relevance {
  const nestedKeys = [...new Set(relevances.flatMap((relevance) => relevance.nestedKeys ?? []))];
  return {
    anyOf: relevances.flatMap((relevance) => relevance.anyOf),
    ...(nestedKeys.length > 0 ? { nestedKeys } : {}),
  };
}
