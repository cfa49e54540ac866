/**
 * What a Google API call failed with, whichever layer threw: gaxios (REST, `status` and a JSON
 * body as the message), google-gax (a gRPC `code`), or a plain network error.
 */
export interface GcpApiFailure {
  /** The HTTP status, or the one a gRPC code stands for; null for network errors. */
  readonly status: number | null;
  /** The API's own message when it sent one, else the error's. */
  readonly detail: string;
}

const GRPC_TO_HTTP: Readonly<Record<number, number>> = {
  3: 400, // INVALID_ARGUMENT
  5: 404, // NOT_FOUND
  6: 409, // ALREADY_EXISTS
  7: 403, // PERMISSION_DENIED
  9: 400, // FAILED_PRECONDITION
  14: 503, // UNAVAILABLE
  16: 401, // UNAUTHENTICATED
};

interface ErrorShape {
  readonly status?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly details?: unknown;
  readonly response?: { readonly status?: unknown };
  readonly cause?: unknown;
}

function statusOf(error: ErrorShape): number | null {
  if (typeof error.status === 'number') return error.status;
  if (typeof error.response?.status === 'number') return error.response.status;
  if (typeof error.code === 'number')
    return error.code >= 100 ? error.code : (GRPC_TO_HTTP[error.code] ?? null);
  return null;
}

/** `{"error":{"message":...}}` bodies carry the useful sentence; pull it out of the error text. */
function detailOf(error: ErrorShape): string {
  const message = typeof error.message === 'string' ? error.message : String(error);
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not a JSON body: the message is already a sentence
  }
  if (typeof error.details === 'string' && error.details) return error.details;
  // Network failures (refused, reset, DNS) are wrapped: the cause says which.
  if (error.cause instanceof Error && error.cause.message) return `${message}: ${error.cause.message}`;
  return message;
}

export function gcpApiFailure(error: unknown): GcpApiFailure {
  const shape = (error ?? {}) as ErrorShape;
  return { status: statusOf(shape), detail: detailOf(shape) };
}
