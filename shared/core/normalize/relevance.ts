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
}

function passes(record: JsonObject, test: FieldTest): boolean {
  const value = record[test.field];
  if (value === undefined) return test.orAbsent === true;
  return typeof value === 'string' && test.oneOf.includes(value);
}

export function isRelevant(record: JsonObject, relevance: Relevance): boolean {
  return relevance.anyOf.some((clause) => clause.every((test) => passes(record, test)));
}

/** Every field some clause reads. */
export function relevanceFields(relevance: Relevance): string[] {
  return [...new Set(relevance.anyOf.flatMap((clause) => clause.map((test) => test.field)))];
}

export function unionOf(relevances: readonly Relevance[]): Relevance {
  return { anyOf: relevances.flatMap((relevance) => relevance.anyOf) };
}
