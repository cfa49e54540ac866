import { processEnvironment } from '../../shared/adapters/config/process-environment.js';

/** Severities Cloud Logging reads from the `severity` field of a JSON line on stdout or stderr. */
export type Severity = 'INFO' | 'WARNING' | 'ERROR';

export interface LogLine {
  readonly severity: Severity;
  /** What Cloud Logging shows as the entry's summary. */
  readonly message: string;
  readonly [field: string]: unknown;
}

export type WriteLog = (line: LogLine) => void;

/** The field Cloud Logging takes as the entry's trace (`projects/PROJECT/traces/TRACE_ID`). */
export const TRACE_FIELD = 'logging.googleapis.com/trace';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/;
const CLOUD_TRACE_CONTEXT = /^([0-9a-fA-F]{32})(?:\/|;|$)/;

/**
 * The trace id of a request: from a W3C `traceparent` (`00-TRACE_ID-SPAN_ID-FLAGS`, also what the
 * functions framework copies into a CloudEvent) or else an `X-Cloud-Trace-Context`
 * (`TRACE_ID/SPAN_ID;o=1`). Anything else gives none, so a header never writes free text here.
 */
export function traceIdOf(
  traceparent: string | undefined,
  cloudTraceContext?: string | undefined,
): string | undefined {
  const w3c = TRACEPARENT.exec(traceparent?.trim() ?? '')?.[1];
  if (w3c !== undefined && !/^0+$/.test(w3c)) return w3c;
  return CLOUD_TRACE_CONTEXT.exec(cloudTraceContext?.trim() ?? '')?.[1]?.toLowerCase();
}

/**
 * One JSON object per line: Cloud Logging turns it into a structured entry, `severity` and
 * `message` its own fields, the rest its jsonPayload. With a trace id, the line names the trace in
 * the function's project, which Cloud Logging needs to link it (`GOOGLE_CLOUD_PROJECT`, when the
 * deployment sets it); without the project the id stays in the payload as `trace_id`.
 */
export function logWriter(
  traceId?: string,
  project: string | undefined = processEnvironment().GOOGLE_CLOUD_PROJECT,
): WriteLog {
  const trace = traceKeys(traceId, project);
  return (line) => {
    const stream = line.severity === 'ERROR' ? process.stderr : process.stdout;
    stream.write(`${JSON.stringify({ ...line, ...trace })}\n`);
  };
}

function traceKeys(traceId: string | undefined, project: string | undefined): Record<string, string> {
  if (traceId === undefined) return {};
  if (!project) return { trace_id: traceId };
  return { [TRACE_FIELD]: `projects/${project}/traces/${traceId}` };
}
