import type { FetchFailure } from '../../core/doctor/check-result.js';
import type { HttpError } from '../http/http-client.js';

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

/**
 * A failed Google REST call: an error answer `{error: {code, message, status}}` by its status, or
 * a call that got no answer (network, timeout).
 */
export function gcpHttpFailure(error: HttpError): FetchFailure {
  if (error.code !== 'HTTP_STATUS' || error.status === undefined)
    return { kind: 'error', message: error.message };
  const body = googleError(error.body);
  const message = typeof body?.error?.message === 'string' ? body.error.message : error.detail;
  const code = typeof body?.error?.status === 'string' ? body.error.status : undefined;
  const kind =
    error.status === 401 || error.status === 403 ? 'denied' : error.status === 404 ? 'not_found' : 'error';
  return { kind, httpStatus: error.status, ...(code === undefined ? {} : { code }), message };
}

function googleError(text: string): { error?: { message?: unknown; status?: unknown } } | null {
  try {
    return JSON.parse(text) as { error?: { message?: unknown; status?: unknown } } | null;
  } catch {
    return null; // not JSON: the status says it
  }
}

/** A request that got no answer (network, timeout, no credentials). */
export function transportFailure(error: unknown): FetchFailure {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'error', message };
}
