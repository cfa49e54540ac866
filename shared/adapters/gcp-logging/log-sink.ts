import { Logging, type LoggingOptions } from '@google-cloud/logging';
import { PassThroughClient } from 'google-auth-library';
import { gcpApiFailure } from './gcp-api-error.js';

/** The sink tokentrail wants: its name, where it routes, and which entries. */
export interface SinkSpec {
  readonly name: string;
  /** A Log Router destination, e.g. `pubsub.googleapis.com/projects/P/topics/T`. */
  readonly destination: string;
  readonly filter: string;
}

export interface LogSinkClientOptions {
  readonly projectId: string;
  /**
   * Another Cloud Logging API root, `http(s)://host[:port]` (an emulator or a test server). Requests
   * to it carry no credentials; without it, Application Default Credentials are used.
   */
  readonly endpoint?: string;
}

export type SinkOutcome = 'created' | 'updated' | 'unchanged';
export type SinkField = 'destination' | 'filter' | 'writer identity';

export interface SinkApplyResult {
  readonly outcome: SinkOutcome;
  /** What differed from the sink found (empty when created or unchanged). */
  readonly changed: readonly SinkField[];
  /** True when nothing was written (dry run). */
  readonly dryRun: boolean;
  readonly sinkName: string;
  readonly destination: string;
  /** `serviceAccount:…`, the identity the sink writes as; null when a dry run would create it. */
  readonly writerIdentity: string | null;
  /** The sink exists but is disabled: it routes nothing. */
  readonly disabled: boolean;
}

export class SinkSetupError extends Error {
  override readonly name = 'SinkSetupError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** The shared identity of sinks created before unique writer identities: it cannot be granted narrowly. */
const LEGACY_WRITER = /cloud-logs@system\.gserviceaccount\.com$/;

/** What the client passes on to google-gax; its LoggingOptions type predates the REST transport. */
interface RestLoggingOptions {
  projectId: string;
  fallback: boolean;
  apiEndpoint?: string;
  port?: number;
  protocol?: string;
  authClient?: PassThroughClient;
}

export function loggingClient(options: LogSinkClientOptions): Logging {
  const settings: RestLoggingOptions = {
    projectId: options.projectId,
    // REST instead of gRPC: the same requests in production and against a local stand-in.
    fallback: true,
  };
  if (options.endpoint) {
    const url = new URL(options.endpoint);
    settings.apiEndpoint = url.hostname;
    settings.port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    settings.protocol = url.protocol.replace(':', '');
    settings.authClient = new PassThroughClient();
  }
  return new Logging(settings as unknown as LoggingOptions);
}

function failure(error: unknown, action: string, projectId: string): SinkSetupError {
  const { status, detail } = gcpApiFailure(error);
  const why =
    status === 403
      ? `permission denied in project ${projectId} (${detail}); the caller needs roles/logging.configWriter there`
      : status === 404
        ? `project ${projectId} was not found, or the Cloud Logging API is not enabled in it (${detail})`
        : status === 401
          ? `not authenticated (${detail}); run gcloud auth application-default login`
          : status === null
            ? `could not reach Cloud Logging (${detail})`
            : `Cloud Logging answered ${status}: ${detail}`;
  return new SinkSetupError(`could not ${action}: ${why}`, status);
}

/**
 * Creates the sink, or brings an existing one to the given destination and filter, idempotently:
 * a sink that already matches is left alone (one GET). Always asks for a unique writer identity, so
 * the sink can be granted publish permission on its destination and nothing else.
 */
export async function applyLogSink(
  spec: SinkSpec,
  options: LogSinkClientOptions & { readonly dryRun?: boolean },
  logging: Logging = loggingClient(options),
): Promise<SinkApplyResult> {
  const dryRun = options.dryRun ?? false;
  const sink = logging.sink(spec.name);
  const base = { dryRun, sinkName: spec.name, destination: spec.destination };

  let current: {
    destination?: string | null;
    filter?: string | null;
    writerIdentity?: string | null;
    disabled?: boolean | null;
  } | null;
  try {
    [current] = await sink.getMetadata();
  } catch (error) {
    if (gcpApiFailure(error).status !== 404)
      throw failure(error, `read sink ${spec.name}`, options.projectId);
    current = null;
  }

  if (current === null) {
    if (dryRun) return { ...base, outcome: 'created', changed: [], writerIdentity: null, disabled: false };
    try {
      const [, created] = await sink.create({
        destination: spec.destination,
        filter: spec.filter,
        uniqueWriterIdentity: true,
      });
      return {
        ...base,
        outcome: 'created',
        changed: [],
        writerIdentity: created.writerIdentity ?? null,
        disabled: false,
      };
    } catch (error) {
      throw failure(error, `create sink ${spec.name}`, options.projectId);
    }
  }

  const changed: SinkField[] = [];
  if (current.destination !== spec.destination) changed.push('destination');
  if (current.filter !== spec.filter) changed.push('filter');
  if (!current.writerIdentity || LEGACY_WRITER.test(current.writerIdentity)) changed.push('writer identity');
  const disabled = current.disabled === true;
  if (changed.length === 0 || dryRun) {
    return {
      ...base,
      outcome: changed.length === 0 ? 'unchanged' : 'updated',
      changed,
      writerIdentity: current.writerIdentity ?? null,
      disabled,
    };
  }
  try {
    const [updated] = await sink.setMetadata({
      destination: spec.destination,
      filter: spec.filter,
      uniqueWriterIdentity: true,
    });
    return {
      ...base,
      outcome: 'updated',
      changed,
      writerIdentity: updated.writerIdentity ?? null,
      disabled: updated.disabled === true,
    };
  } catch (error) {
    throw failure(error, `update sink ${spec.name}`, options.projectId);
  }
}
