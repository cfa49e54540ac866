import { randomUUID } from 'node:crypto';
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
import { type BigQueryAuthClient, BigQueryRest } from './bigquery-rest.js';
import { insertAllRow } from './insert-all-row.js';
import { type InsertAllRow, planInsertAll } from './insert-batches.js';
import { queryResultOf, type TableField, type WireRow } from './query-result.js';
import { describeFailure, isTransient } from './retry.js';

export interface BigQueryStoreOptions {
  readonly projectId: string;
  readonly dataset: string;
  /** Where the dataset lives and query jobs run. Default `US`. */
  readonly location?: string;
  /** `http://host:port` of a stand-in; `/bigquery/v2` is appended. Default `https://bigquery.googleapis.com`. */
  readonly apiEndpoint?: string;
  /** E.g. a google-auth-library external-account client; absent, Application Default Credentials. */
  readonly authClient?: BigQueryAuthClient;
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

/** The insertErrors of an HTTP 200 insertAll answer: empty when every row went in. */
function insertErrorsOf(answer: unknown): readonly InsertError[] {
  const insertErrors = (answer as { insertErrors?: unknown } | null)?.insertErrors;
  return Array.isArray(insertErrors) ? (insertErrors as InsertError[]) : [];
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

/**
 * A jobs.query request as the client library built it: standard SQL, TIMESTAMP cells as int64
 * microseconds, strings as named STRING parameters, and a requestId that makes a retry of the
 * same request run the statement once.
 */
function jobsQueryRequest(text: string, location: string, params: Readonly<Record<string, string>>) {
  const names = Object.keys(params);
  return {
    query: text,
    location,
    useLegacySql: false,
    formatOptions: { useInt64Timestamp: true },
    requestId: randomUUID(),
    ...(names.length === 0
      ? {}
      : {
          parameterMode: 'NAMED',
          queryParameters: names.map((name) => ({
            name,
            parameterType: { type: 'STRING' },
            parameterValue: { value: params[name] },
          })),
        }),
  };
}

/** A jobs.query or getQueryResults answer, the members read here. */
interface QueryAnswer {
  readonly jobComplete?: boolean;
  readonly jobReference?: { readonly jobId?: string; readonly location?: string };
  readonly schema?: { readonly fields?: readonly TableField[] };
  readonly rows?: readonly WireRow[];
  readonly pageToken?: string;
  readonly numDmlAffectedRows?: string | number | null;
}

/**
 * Streams rows with tabledata.insertAll and answers named queries with jobs.query (then
 * getQueryResults while the job runs or pages remain), over BigQuery's REST API (bigquery-rest.ts).
 * The retry policy here is the only one: `retry.attempts` tries in all per request.
 */
export class BigQueryStore implements EventStore, AlertBook {
  readonly description: string;
  readonly preferredBatchRows = 500;
  /** `project.dataset`, as the DDL and query texts name it. */
  readonly datasetRef: string;
  readonly location: string;
  private readonly rest: BigQueryRest;
  /** `/projects/{project}`, the prefix of every request path. */
  private readonly projectPath: string;
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  /** The alerts table, written with DML query jobs only (see bigquery-alert-book.ts). */
  private readonly alerts: BigQueryAlertBook;

  constructor(private readonly options: BigQueryStoreOptions) {
    this.description = `bigquery://${options.projectId}/${options.dataset}`;
    this.datasetRef = `${options.projectId}.${options.dataset}`;
    this.location = options.location ?? 'US';
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? realSleep;
    if (this.retry.attempts < 1) throw this.failure('retry.attempts must be at least 1');
    this.rest = new BigQueryRest({
      projectId: options.projectId,
      ...(options.apiEndpoint === undefined ? {} : { apiEndpoint: options.apiEndpoint }),
      ...(options.authClient === undefined ? {} : { authClient: options.authClient }),
    });
    this.projectPath = `/projects/${encodeURIComponent(options.projectId)}`;
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
   * answers a dry run without it, so this asks jobs.insert, whose Job carries statistics.query.
   */
  async statementType(text: string): Promise<string> {
    const job = await this.withRetry('jobs.insert (dry run)', () =>
      this.rest.post<{ statistics?: { query?: { statementType?: string } } }>(`${this.projectPath}/jobs`, {
        jobReference: { projectId: this.options.projectId, location: this.location },
        configuration: { dryRun: true, query: { query: text, useLegacySql: false } },
      }),
    );
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

  private async runQuery(text: string, params: Readonly<Record<string, string>>): Promise<QueryResult> {
    return (await this.runStatement(text, params)).result;
  }

  /**
   * One query job; for DML also the rows it changed, from the answer's numDmlAffectedRows. The
   * requestId stays the same on retries of the statement, so BigQuery runs a retried DML once.
   */
  private async runStatement(
    text: string,
    params: Readonly<Record<string, string>>,
  ): Promise<StatementResult> {
    const request = jobsQueryRequest(text, this.location, params);
    const first = await this.withRetry('jobs.query', () =>
      this.rest.post<QueryAnswer>(`${this.projectPath}/queries`, request),
    );
    const { complete, rows } = await this.followJob(first);
    const affected = complete.numDmlAffectedRows;
    return {
      result: queryResultOf(complete.schema?.fields ?? [], rows),
      affectedRows: affected === undefined || affected === null ? null : Number(affected),
    };
  }

  /**
   * Asks getQueryResults until the job is complete (BigQuery holds each answer up to 10 s while
   * it runs) and every page is read. Returns the first complete answer and the rows of all pages.
   */
  private async followJob(first: QueryAnswer): Promise<{ complete: QueryAnswer; rows: WireRow[] }> {
    const job = first.jobReference;
    const rows: WireRow[] = [];
    let complete: QueryAnswer | null = null;
    let answer = first;
    for (;;) {
      const done = answer.jobComplete !== false;
      if (done) {
        complete ??= answer;
        for (const row of answer.rows ?? []) rows.push(row); // a page can hold more rows than a spread's arguments
        if (!answer.pageToken) return { complete, rows };
      }
      const jobId = job?.jobId;
      if (jobId === undefined) {
        throw this.failure('jobs.query answered without a jobReference to follow the job with');
      }
      const query = {
        location: job?.location ?? this.location,
        pageToken: done ? answer.pageToken : undefined,
        'formatOptions.useInt64Timestamp': 'true',
      };
      answer = await this.withRetry('getQueryResults', () =>
        this.rest.get<QueryAnswer>(`${this.projectPath}/queries/${encodeURIComponent(jobId)}`, query),
      );
    }
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
   * Sends one request until every row is inserted or refused. When a partial failure refused rows,
   * the rows it stopped are re-sent at once without using up a try (the batch shrank, so this ends);
   * other failures back off and count against `retry.attempts`.
   */
  private async insertBatch<T>(table: TableSpec, batch: readonly PendingRow<T>[]): Promise<TableWrite<T>> {
    const refused: { row: T; reason: string }[] = [];
    let pending = batch;
    let written = 0;
    let failures = 0;
    const path = `${this.projectPath}/datasets/${encodeURIComponent(this.options.dataset)}/tables/${encodeURIComponent(table.name)}/insertAll`;
    while (pending.length > 0) {
      let failure: string;
      try {
        const answer = await this.rest.post(path, {
          skipInvalidRows: false,
          ignoreUnknownValues: false,
          rows: pending.map(({ insertId, json }) => ({ insertId, json })),
        });
        const insertErrors = insertErrorsOf(answer);
        if (insertErrors.length === 0) {
          written += pending.length;
          break;
        }
        const outcome = sortPartialFailure(pending, insertErrors);
        written += outcome.written;
        refused.push(...outcome.refused);
        pending = outcome.retry;
        if (pending.length === 0 || outcome.refused.length > 0) continue;
        failure = `HTTP 200 with insertErrors (${outcome.reasons.join(', ')})`;
      } catch (error) {
        if (!isTransient(error)) {
          throw this.failure(`insertAll into ${table.name} failed: ${describeFailure(error)}`, error);
        }
        failure = describeFailure(error);
      }
      failures += 1;
      if (failures >= this.retry.attempts) {
        throw this.failure(
          `insertAll into ${table.name} failed after ${failures} attempt(s), ` +
            `${pending.length} row(s) not written: ${failure}`,
        );
      }
      await this.sleep(backoffDelayMs(failures, this.retry, Math.random));
    }
    return { written, refused };
  }

  private failure(message: string, cause?: unknown): Error {
    return new Error(`${this.description}: ${message}`, cause === undefined ? undefined : { cause });
  }

  private async withRetry<R>(what: string, call: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (!isTransient(error)) throw this.failure(`${what} failed: ${describeFailure(error)}`, error);
        if (attempt >= this.retry.attempts) {
          throw this.failure(`${what} failed after ${attempt} attempt(s): ${describeFailure(error)}`, error);
        }
        await this.sleep(backoffDelayMs(attempt, this.retry, Math.random));
      }
    }
  }
}

export function openBigQueryStore(options: BigQueryStoreOptions): BigQueryStore {
  return new BigQueryStore(options);
}
