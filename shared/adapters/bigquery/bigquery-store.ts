import type {
  BigQuery,
  BigQueryOptions,
  Job,
  Query,
  QueryResultsOptions,
  Table,
} from '@google-cloud/bigquery';
import type { Alert } from '../../core/alerts/alert.js';
import type { NamedQuery, QueryParams } from '../../core/queries/named-queries.js';
import type { AlertStatus } from '../../core/schema/alert-columns.js';
import type { AlertRow, Row } from '../../core/schema/row.js';
import { EVENTS_TABLE, QUARANTINE_TABLE, type TableSpec } from '../../core/schema/tables.js';
import type {
  AlertBook,
  DeliveryChange,
  EventStore,
  QueryResult,
  Rejection,
  WriteResult,
} from '../../pipeline/ports.js';
import { backoffDelayMs, DEFAULT_RETRY, type RetryPolicy, realSleep, type Sleep } from '../http/backoff.js';
import { quarantineRow } from '../store/quarantine-row.js';
import { BigQueryAlertBook, type StatementResult } from './bigquery-alert-book.js';
import { insertAllRow } from './insert-all-row.js';
import { type InsertAllRow, insertAllRowText, planInsertAll } from './insert-batches.js';
import { loadBigQuery } from './load-bigquery.js';
import { INT64_CAST, queryResultOf, type TableField } from './query-result.js';
import { describeFailure, isTransient } from './retry.js';

/** What the client takes as `authClient`: a google-auth-library client (e.g. an external-account one) or a GoogleAuth. */
export type BigQueryAuthClient = NonNullable<BigQueryOptions['authClient']>;

export interface BigQueryStoreOptions {
  readonly projectId: string;
  readonly dataset: string;
  /** Where the dataset lives and query jobs run. Default `US`. */
  readonly location?: string;
  /** `http://host:port` of a stand-in; the client appends `/bigquery/v2`. Default `https://bigquery.googleapis.com`. */
  readonly apiEndpoint?: string;
  /** E.g. a google-auth-library external-account client; absent, Application Default Credentials. */
  readonly authClient?: BigQueryAuthClient;
  /**
   * `attempts` is the client's tries per request (its `maxRetries` + 1); `maxDelayMs` caps its
   * waits between them (the client's own exponential backoff, 2^n s plus up to 1 s of jitter).
   * `baseDelayMs` and `sleep` pace only the re-sends of rows an insertAll answer stopped.
   */
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleep;
}

/** Reasons in insertErrors that say nothing against the row itself: send it again. */
const RETRYABLE_ROW_REASONS = new Set([
  'stopped', // valid, but not inserted because another row of the request was invalid
  'backendError',
  'internalError',
  'timeout',
  'rateLimitExceeded',
]);

interface InsertError {
  readonly index?: number | null;
  readonly errors?: readonly { readonly reason?: string | null; readonly message?: string | null }[] | null;
}

interface PendingRow<T> extends InsertAllRow {
  readonly source: T;
}

interface TableWrite<T> {
  readonly written: number;
  readonly refused: readonly { readonly row: T; readonly reason: string }[];
}

/** The insertErrors of an HTTP 200 insertAll answer, which the client throws as a PartialFailureError. */
/**
 * One tabledata.insertAll through the client's authenticated `request`, the body serialized once
 * here; returns the rows' insertErrors, or null when every row went in. `table.insert` would do the
 * same request, but @google-cloud/common deep-copies the request (`extend`) three times and walks
 * it for project-id tokens, every row and cell: about a fifth of the S3 Lambda's CPU per GiB of org
 * trail (docs/decisions/0010-bigquery-official-client.md).
 */
async function insertAll(
  target: Table,
  rows: readonly InsertAllRow[],
): Promise<readonly InsertError[] | null> {
  const body = `{"skipInvalidRows":false,"ignoreUnknownValues":false,"rows":[${rows.map(insertAllRowText).join(',')}]}`;
  const [response] = (await target.request({
    method: 'POST',
    uri: '/insertAll',
    body,
    headers: { 'Content-Type': 'application/json' },
  })) as [{ insertErrors?: unknown } | undefined, ...unknown[]];
  const insertErrors = response?.insertErrors;
  return Array.isArray(insertErrors) && insertErrors.length > 0 ? (insertErrors as InsertError[]) : null;
}

function rowFault(entry: InsertError): string | null {
  const errors = entry.errors ?? [];
  const faults = errors.filter((error) => !RETRYABLE_ROW_REASONS.has(error.reason ?? ''));
  if (faults.length === 0) return null;
  return faults.map((error) => `${error.reason ?? 'unknown'}: ${error.message ?? ''}`.trim()).join('; ');
}

interface PartialFailureOutcome<T> {
  readonly written: number;
  readonly retry: readonly PendingRow<T>[];
  readonly refused: readonly { readonly row: T; readonly reason: string }[];
  readonly reasons: readonly string[];
}

/** Rows not listed in insertErrors went in; listed rows are refused for a fault of their own, else retried. */
function sortPartialFailure<T>(
  sent: readonly PendingRow<T>[],
  insertErrors: readonly InsertError[],
): PartialFailureOutcome<T> {
  const byIndex = new Map(insertErrors.map((entry) => [entry.index ?? -1, entry]));
  const retry: PendingRow<T>[] = [];
  const refused: { row: T; reason: string }[] = [];
  for (const [index, row] of sent.entries()) {
    const entry = byIndex.get(index);
    if (entry === undefined) continue;
    const fault = rowFault(entry);
    if (fault === null) retry.push(row);
    else refused.push({ row: row.source, reason: fault });
  }
  const reasons = [
    ...new Set(insertErrors.flatMap((entry) => (entry.errors ?? []).map((e) => e.reason ?? 'unknown'))),
  ];
  return { written: sent.length - retry.length - refused.length, retry, refused, reasons };
}

/** A jobs.query or getQueryResults answer, the members read here. */
interface QueryAnswer {
  readonly jobComplete?: boolean;
  readonly schema?: { readonly fields?: readonly TableField[] };
  readonly numDmlAffectedRows?: string | number | null;
}

/** What `query` and `getQueryResults` resolve to at run time: the typings say less. */
type QueryPage = [Record<string, unknown>[], (QueryResultsOptions & { job?: Job }) | null, QueryAnswer?];

/**
 * Streams rows with tabledata.insertAll and answers named queries with jobs.query (then
 * getQueryResults while the job runs or pages remain), through @google-cloud/bigquery. Requests
 * are retried by the client, which sends the very same request again: the same insertIds, the
 * same jobs.query requestId (so a retried DML runs once).
 */
export class BigQueryStore implements EventStore, AlertBook {
  readonly description: string;
  readonly preferredBatchRows = 500;
  /** `project.dataset`, as the DDL and query texts name it. */
  readonly datasetRef: string;
  readonly location: string;
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  /** Created on the first request. */
  private bigquery: Promise<BigQuery> | undefined;
  /** The alerts table, written with DML query jobs only (see bigquery-alert-book.ts). */
  private readonly alerts: BigQueryAlertBook;

  constructor(private readonly options: BigQueryStoreOptions) {
    this.description = `bigquery://${options.projectId}/${options.dataset}`;
    this.datasetRef = `${options.projectId}.${options.dataset}`;
    this.location = options.location ?? 'US';
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? realSleep;
    if (this.retry.attempts < 1) throw this.failure('retry.attempts must be at least 1');
    this.alerts = new BigQueryAlertBook(this.datasetRef, (text, params) => this.runStatement(text, params));
  }

  async writeRows(rows: readonly Row[]): Promise<WriteResult> {
    const { written, refused } = await this.insert(EVENTS_TABLE, rows);
    return { written, duplicates: 0, refused };
  }

  async writeQuarantine(rejections: readonly Rejection[], quarantinedAt: string): Promise<void> {
    const rows = rejections.map((rejection) => quarantineRow(rejection, quarantinedAt));
    const { refused } = await this.insert(QUARANTINE_TABLE, rows);
    if (refused.length > 0) {
      const reasons = refused.map(({ row, reason }) => `${row.quarantine_id}: ${reason}`).join('; ');
      throw this.failure(`the quarantine table refused ${refused.length} row(s): ${reasons}`);
    }
  }

  async query(query: NamedQuery, params: QueryParams): Promise<QueryResult> {
    const declared: Record<string, string> = {};
    for (const name of query.params) {
      const value = params[name];
      if (value === undefined) throw this.failure(`query ${query.name} needs the parameter ${name}`);
      declared[name] = value;
    }
    return this.runQuery(query.bigquery(this.datasetRef), declared);
  }

  sql(text: string): Promise<QueryResult> {
    return this.runQuery(text, {});
  }

  /**
   * The kind of a statement (SELECT, DELETE, SCRIPT...), from a dry run that runs nothing: jobs.query
   * answers a dry run without it, so the client asks jobs.insert, whose Job carries statistics.query.
   */
  async statementType(text: string): Promise<string> {
    const client = await this.client();
    const job = await this.call('jobs.insert (dry run)', async () => {
      const [, metadata] = await client.createQueryJob({
        query: text,
        location: this.location,
        dryRun: true,
      });
      return metadata as { statistics?: { query?: { statementType?: string } } };
    });
    const statementType = job.statistics?.query?.statementType;
    if (!statementType) {
      throw this.failure(
        'the dry run of the statement did not name its kind (statistics.query.statementType)',
      );
    }
    return statementType;
  }

  recordAlerts(alerts: readonly Alert[], at: string): Promise<AlertRow[]> {
    return this.alerts.recordAlerts(alerts, at);
  }

  alertsToDeliver(options?: { readonly unconfirmed?: boolean }): Promise<AlertRow[]> {
    return this.alerts.alertsToDeliver(options);
  }

  getAlert(alertId: string): Promise<AlertRow | undefined> {
    return this.alerts.getAlert(alertId);
  }

  writeDeliveries(alertId: string, revision: number, change: DeliveryChange, at: string): Promise<boolean> {
    return this.alerts.writeDeliveries(alertId, revision, change, at);
  }

  listAlerts(status?: AlertStatus): Promise<AlertRow[]> {
    return this.alerts.listAlerts(status);
  }

  updateAlert(
    alertId: string,
    change: Parameters<AlertBook['updateAlert']>[1],
    at: string,
  ): Promise<boolean> {
    return this.alerts.updateAlert(alertId, change, at);
  }

  async close(): Promise<void> {}

  private client(): Promise<BigQuery> {
    this.bigquery ??= loadBigQuery().then(
      (BigQueryClient) =>
        new BigQueryClient({
          projectId: this.options.projectId,
          location: this.location,
          retryOptions: {
            autoRetry: this.retry.attempts > 1,
            maxRetries: this.retry.attempts - 1,
            maxRetryDelay: this.retry.maxDelayMs / 1000,
            retryableErrorFn: isTransient,
          },
          ...(this.options.apiEndpoint === undefined ? {} : { apiEndpoint: this.options.apiEndpoint }),
          ...(this.options.authClient === undefined ? {} : { authClient: this.options.authClient }),
        }),
    );
    return this.bigquery;
  }

  private async runQuery(text: string, params: Readonly<Record<string, string>>): Promise<QueryResult> {
    return (await this.runStatement(text, params)).result;
  }

  /**
   * One query job through jobs.query, then getQueryResults while the job runs (BigQuery holds each
   * answer up to 10 s) or pages remain. For DML also the rows it changed (numDmlAffectedRows).
   */
  private async runStatement(
    text: string,
    params: Readonly<Record<string, string>>,
  ): Promise<StatementResult> {
    const client = await this.client();
    // Strings go out as named STRING parameters (the client infers the type from the value).
    const request: Query = {
      query: text,
      location: this.location,
      wrapIntegers: INT64_CAST,
      ...(Object.keys(params).length === 0 ? {} : { params: { ...params } }),
    };
    let [rows, next, answer] = (await this.call('jobs.query', () =>
      client.query(request, { autoPaginate: false }),
    )) as unknown as QueryPage;
    const all = [...rows];
    let complete = answer?.jobComplete === false ? undefined : answer;
    while (next !== null) {
      const job = next.job;
      if (job === undefined) throw this.failure('jobs.query answered without a job to follow');
      const options = next;
      [rows, next, answer] = (await this.call('getQueryResults', () =>
        job.getQueryResults(options),
      )) as unknown as QueryPage;
      for (const row of rows) all.push(row); // a page can hold more rows than a spread's arguments
      if (answer?.jobComplete !== false) complete ??= answer;
    }
    const affected = complete?.numDmlAffectedRows;
    return {
      result: queryResultOf(complete?.schema?.fields ?? [], all),
      affectedRows: affected === undefined || affected === null ? null : Number(affected),
    };
  }

  private async insert<T extends Readonly<Record<string, unknown>>>(
    table: TableSpec,
    records: readonly T[],
  ): Promise<TableWrite<T>> {
    const pending = records.map((source): PendingRow<T> => ({ ...insertAllRow(table, source), source }));
    const plan = planInsertAll(pending);
    const refused = plan.oversized.map(({ row, reason }) => ({ row: row.source, reason }));
    let written = 0;
    for (const batch of plan.batches) {
      const result = await this.insertBatch(table, batch);
      written += result.written;
      refused.push(...result.refused);
    }
    return { written, refused };
  }

  /**
   * Sends one request until every row is inserted or refused. A failed request is retried by the
   * client. When an answer's insertErrors refused rows, the rows it stopped are re-sent at once
   * (the batch shrank, so this ends); when it blamed no row, they are re-sent after a backoff, at
   * most `retry.attempts` times in all.
   */
  private async insertBatch<T>(table: TableSpec, batch: readonly PendingRow<T>[]): Promise<TableWrite<T>> {
    const target = (await this.client()).dataset(this.options.dataset).table(table.name);
    const refused: { row: T; reason: string }[] = [];
    let pending = batch;
    let written = 0;
    let failures = 0;
    while (pending.length > 0) {
      let insertErrors: readonly InsertError[] | null;
      try {
        insertErrors = await insertAll(target, pending);
      } catch (error) {
        throw this.requestFailure(
          `insertAll into ${table.name}`,
          error,
          `${pending.length} row(s) not written`,
        );
      }
      if (insertErrors === null) {
        written += pending.length;
        break;
      }
      const outcome = sortPartialFailure(pending, insertErrors);
      written += outcome.written;
      refused.push(...outcome.refused);
      pending = outcome.retry;
      if (pending.length === 0 || outcome.refused.length > 0) continue;
      failures += 1;
      if (failures >= this.retry.attempts) {
        throw this.failure(
          `insertAll into ${table.name} failed after ${failures} attempt(s), ` +
            `${pending.length} row(s) not written: HTTP 200 with insertErrors (${outcome.reasons.join(', ')})`,
        );
      }
      await this.sleep(backoffDelayMs(failures, this.retry, Math.random));
    }
    return { written, refused };
  }

  private failure(message: string, cause?: unknown): Error {
    return new Error(`${this.description}: ${message}`, cause === undefined ? undefined : { cause });
  }

  /**
   * A failed request, once the client gave up: a transient failure was retried (`retry.attempts`
   * tries in all), any other was not.
   */
  private requestFailure(what: string, error: unknown, lost?: string): Error {
    const after = isTransient(error)
      ? ` after ${this.retry.attempts} attempt(s)${lost === undefined ? '' : `, ${lost}`}`
      : '';
    return this.failure(`${what} failed${after}: ${describeFailure(error)}`, error);
  }

  private async call<R>(what: string, request: () => Promise<R>): Promise<R> {
    try {
      return await request();
    } catch (error) {
      throw this.requestFailure(what, error);
    }
  }
}

export function openBigQueryStore(options: BigQueryStoreOptions): BigQueryStore {
  return new BigQueryStore(options);
}
