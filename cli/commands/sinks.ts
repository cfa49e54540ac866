import {
  applyLogSink,
  type SinkApplyResult,
  SinkSetupError,
} from '../../shared/adapters/gcp-logging/log-sink.js';
import { grantTopicPublisher } from '../../shared/adapters/gcp-logging/topic-publisher.js';
import { LOG_ROUTER_FILTER } from '../../shared/core/queries/log-router-filter.js';
import { shellQuote } from '../../shared/core/render/shell-quote.js';
import { terminalSafe } from '../../shared/core/render/terminal-safe.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { settingsOf } from '../cli-settings.js';
import { gcpProjectId, isGcpProjectId } from '../gcp-project.js';
import { DEFAULT_TOPIC } from '../sink-defaults.js';

export interface SinksApplyOptions {
  readonly project?: string;
  readonly sink: string;
  readonly topic?: string;
  readonly destination?: string;
  readonly dryRun: boolean;
  readonly grant: boolean;
}

// Sink ids and topic ids as GCP allows them; anything else would end up in a request path.
const SINK = /^[A-Za-z0-9_.-]{1,100}$/;
const TOPIC_ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
const TOPIC_PATH = /^projects\/([^/]+)\/topics\/([^/]+)$/;
const DESTINATION = /^(?:pubsub|storage|bigquery|logging)\.googleapis\.com\/\S+$/;

type Resolved = { destination: string; topic: string | null } | { error: string };

function resolveDestination(options: SinksApplyOptions, project: string): Resolved {
  if (options.destination !== undefined) {
    if (!DESTINATION.test(options.destination)) {
      return {
        error: `--destination '${terminalSafe(options.destination)}' is not a Log Router destination (pubsub.googleapis.com/projects/P/topics/T, storage.googleapis.com/BUCKET, bigquery.googleapis.com/projects/P/datasets/D, logging.googleapis.com/projects/P/locations/L/buckets/B)`,
      };
    }
    const topic = options.destination.startsWith('pubsub.googleapis.com/')
      ? options.destination.slice('pubsub.googleapis.com/'.length)
      : null;
    return { destination: options.destination, topic: topic && TOPIC_PATH.test(topic) ? topic : null };
  }
  const given = options.topic ?? DEFAULT_TOPIC;
  const path = TOPIC_PATH.exec(given);
  const topic = path ? given : `projects/${project}/topics/${given}`;
  const [, topicProject, id] = TOPIC_PATH.exec(topic) ?? [];
  if (!topicProject || !isGcpProjectId(topicProject) || !id || !TOPIC_ID.test(id)) {
    return {
      error: `--topic '${terminalSafe(given)}' is not a topic id or projects/PROJECT/topics/TOPIC`,
    };
  }
  return { destination: `pubsub.googleapis.com/${topic}`, topic };
}

/** The command that gives the writer identity write access to the destination. */
function grantCommand(destination: string, topic: string | null, member: string): string | null {
  if (topic) {
    const [, project, id] = TOPIC_PATH.exec(topic)!;
    return `gcloud pubsub topics add-iam-policy-binding ${shellQuote(id!)} --project=${shellQuote(project!)} --member=${shellQuote(member)} --role=roles/pubsub.publisher`;
  }
  const bucket = /^storage\.googleapis\.com\/([^/]+)$/.exec(destination)?.[1];
  if (bucket) {
    return `gcloud storage buckets add-iam-policy-binding ${shellQuote(`gs://${bucket}`)} --member=${shellQuote(member)} --role=roles/storage.objectCreator`;
  }
  return null;
}

function describe(result: SinkApplyResult, project: string): string {
  const target = `sink ${result.sinkName} in project ${project}`;
  const changes = result.changed.length > 0 ? ` (${result.changed.join(', ')})` : '';
  if (result.outcome === 'unchanged') return `unchanged: ${target}`;
  const verb = result.outcome === 'created' ? 'create' : 'update';
  return result.dryRun ? `would ${verb}: ${target}${changes}` : `${result.outcome}: ${target}${changes}`;
}

/** `tokentrail sinks apply`: the Log Router sink for the federation audit logs, created or updated in place. */
export async function sinksApplyCommand(options: SinksApplyOptions, io: CliIo): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`tokentrail sinks apply: ${message}\n`);
    return EXIT.failure;
  };
  const project = gcpProjectId(options.project);
  if (!SINK.test(options.sink)) {
    return fail(
      `--sink '${terminalSafe(options.sink)}' is not a sink name (letters, digits, _ - ., at most 100)`,
    );
  }
  const resolved = resolveDestination(options, project);
  if ('error' in resolved) return fail(resolved.error);
  if (options.grant && !resolved.topic) {
    return fail('--grant works for Pub/Sub topic destinations only; grant other destinations yourself');
  }

  const endpoint = settingsOf(io).endpoints.logging;
  try {
    const result = await applyLogSink(
      { name: options.sink, destination: resolved.destination, filter: LOG_ROUTER_FILTER },
      { projectId: project, dryRun: options.dryRun, ...(endpoint ? { endpoint } : {}) },
    );
    const lines = [
      describe(result, project),
      `  destination      ${terminalSafe(result.destination)}`,
      `  writer identity  ${result.writerIdentity ? terminalSafe(result.writerIdentity) : '(assigned when the sink is created)'}`,
    ];
    if (result.disabled)
      lines.push(
        '  warning: the sink is disabled and routes nothing; enable it in the console or with gcloud logging sinks update --no-disabled',
      );

    const member = result.writerIdentity;
    if (member && !options.dryRun && options.grant && resolved.topic) {
      const pubsubEndpoint = settingsOf(io).endpoints.pubsub;
      const granted = await grantTopicPublisher(
        resolved.topic,
        member,
        pubsubEndpoint ? { endpoint: pubsubEndpoint } : {},
      );
      lines.push(
        granted === 'granted'
          ? `granted: roles/pubsub.publisher on ${resolved.topic} to the writer identity`
          : `unchanged: the writer identity already has roles/pubsub.publisher on ${resolved.topic}`,
      );
    } else if (member) {
      const command = grantCommand(resolved.destination, resolved.topic, member);
      lines.push(
        command
          ? `The sink can deliver once its writer identity may write there${resolved.topic ? ' (or rerun with --grant)' : ''}:\n  ${terminalSafe(command)}`
          : `The sink can deliver once its writer identity may write to ${terminalSafe(resolved.destination)}.`,
      );
    }
    lines.push(
      'Note: token exchanges, impersonation and bucket reads are Data Access audit logs, off by default: enable them (infra/gcp/audit-config.tf, or IAM & Admin > Audit Logs: sts, IAM and iamcredentials ADMIN_READ; Cloud Storage DATA_READ, DATA_WRITE).',
    );
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof SinkSetupError) return fail(terminalSafe(error.message));
    throw error;
  }
}
