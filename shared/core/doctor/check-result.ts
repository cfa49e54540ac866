/**
 * What `tokentrail doctor` reports: one result per thing that can silently break a deployment
 * (audit logs off, no data events, a rule in the wrong state, a sink that cannot publish). Check
 * functions are pure: they take configuration objects the adapters fetched, or the reason a fetch
 * failed, and say what is wrong and the exact command or setting that fixes it.
 */
export const CHECK_STATUSES = ['ok', 'warn', 'fail', 'skipped'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface CheckResult {
  /** Stable id, e.g. `gcp.audit-logs`, `aws.trail.data-events`. */
  readonly check: string;
  readonly status: CheckStatus;
  /** The thing checked (a service, bucket, trail, rule or sink name), when there is one. */
  readonly target?: string;
  readonly message: string;
  /** The exact command or setting to change; empty when there is nothing to do. */
  readonly fix: string;
}

/** Why a configuration object could not be read. */
export interface FetchFailure {
  /** `denied`: the caller lacks a permission; `not_found`: the named thing does not exist. */
  readonly kind: 'denied' | 'not_found' | 'error';
  /** HTTP status, when an answer came back. */
  readonly httpStatus?: number;
  /** The API's own error name: AccessDeniedException, PERMISSION_DENIED, TrailNotFoundException. */
  readonly code?: string;
  readonly message: string;
}

export type Fetched<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: FetchFailure };

export function fetched<T>(value: T): Fetched<T> {
  return { ok: true, value };
}

export function fetchFailed<T>(failure: FetchFailure): Fetched<T> {
  return { ok: false, failure };
}

/** `403 PERMISSION_DENIED: The caller does not have permission`, as short as the failure allows. */
export function describeFailure(failure: FetchFailure): string {
  const head = [failure.httpStatus, failure.code].filter((part) => part !== undefined && part !== '');
  const message = failure.message.trim().replace(/\.$/, '');
  if (head.length === 0) return message || 'unknown error';
  return message ? `${head.join(' ')}: ${message}` : head.join(' ');
}

/**
 * The result of a check whose input could not be read: a missing permission or an outage skips it
 * (the doctor cannot tell), a missing resource fails it (that is the finding).
 */
export function unreadable(
  check: string,
  what: string,
  failure: FetchFailure,
  advice: { readonly grant: string; readonly create?: string; readonly target?: string },
): CheckResult {
  const target = advice.target === undefined ? {} : { target: advice.target };
  if (failure.kind === 'not_found') {
    return {
      check,
      status: 'fail',
      ...target,
      message: `${what} does not exist (${describeFailure(failure)})`,
      fix: advice.create ?? '',
    };
  }
  const reason = `could not read ${what}: ${describeFailure(failure)}`;
  return {
    check,
    status: 'skipped',
    ...target,
    message:
      failure.kind === 'denied' ? `${reason}; ${advice.grant} or run with a principal that can` : reason,
    fix: failure.kind === 'denied' ? advice.grant : '',
  };
}

export interface CheckCounts {
  readonly ok: number;
  readonly warn: number;
  readonly fail: number;
  readonly skipped: number;
}

export function countStatuses(results: readonly CheckResult[]): CheckCounts {
  const counts = { ok: 0, warn: 0, fail: 0, skipped: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}
