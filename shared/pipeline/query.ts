import { globToRegex } from '../core/queries/glob.js';
import type { NamedQuery } from '../core/queries/named-queries.js';
import { type TimeRange, timeRange } from '../core/queries/time-range.js';
import type { Clock, EventStore, QueryResult } from './ports.js';

export interface QueryRequest {
  readonly query: NamedQuery;
  /** Glob patterns by parameter name, e.g. `{ bucket: 'acme-prod-*' }`. */
  readonly patterns?: Readonly<Record<string, string>>;
  /** `7d`, `12h`, a date or a timestamp; defaults to `defaultSince`. */
  readonly since?: string;
  readonly until?: string;
  readonly defaultSince?: string;
}

export interface QueryAnswer {
  readonly range: TimeRange;
  readonly result: QueryResult;
}

/** The query use case: user input becomes parameters (anchored patterns, canonical times), never SQL. */
export async function answer(store: EventStore, clock: Clock, request: QueryRequest): Promise<QueryAnswer> {
  const range = timeRange({ since: request.since, until: request.until }, clock.now(), request.defaultSince);
  const params: Record<string, string> = { since: range.since, until: range.until };
  for (const [name, glob] of Object.entries(request.patterns ?? {})) params[name] = globToRegex(glob);
  return { range, result: await store.query(request.query, params) };
}
