import type { FetchFailure } from '../../core/doctor/check-result.js';

const AWS_DENIED = /AccessDenied|NotAuthorized|Unauthorized|Forbidden/i;
const AWS_NOT_FOUND = /NotFound/;

/** An AWS SDK error as the doctor reports it: denied, not found, or anything else. */
export function awsFetchFailure(error: unknown): FetchFailure {
  if (!(error instanceof Error)) return { kind: 'error', message: String(error) };
  const httpStatus = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = error.name;
  const base = { ...(httpStatus === undefined ? {} : { httpStatus }), code, message: error.message };
  if (code === 'CredentialsProviderError') {
    return { ...base, kind: 'error', message: `no AWS credentials found (${error.message})` };
  }
  if (AWS_NOT_FOUND.test(code)) return { ...base, kind: 'not_found' };
  if (AWS_DENIED.test(code) || httpStatus === 403) return { ...base, kind: 'denied' };
  return { ...base, kind: 'error' };
}

/** A Google REST error answer: `{error: {code, message, status}}`. */
export async function gcpFetchFailure(response: Response): Promise<FetchFailure> {
  const body = (await response.json().catch(() => null)) as {
    error?: { message?: unknown; status?: unknown };
  } | null;
  const message = typeof body?.error?.message === 'string' ? body.error.message : response.statusText;
  const code = typeof body?.error?.status === 'string' ? body.error.status : undefined;
  const kind =
    response.status === 401 || response.status === 403
      ? 'denied'
      : response.status === 404
        ? 'not_found'
        : 'error';
  return { kind, httpStatus: response.status, ...(code === undefined ? {} : { code }), message };
}

/** A request that got no answer (network, timeout, no credentials). */
export function transportFailure(error: unknown): FetchFailure {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'error', message };
}
