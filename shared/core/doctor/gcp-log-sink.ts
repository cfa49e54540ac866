import { shellQuote } from '../render/shell-quote.js';
import { type CheckResult, type Fetched, unreadable } from './check-result.js';
import { grantsTo, type IamPolicy } from './iam-policy.js';

export const SINK_CHECK = 'gcp.sink';
export const SINK_FILTER_CHECK = 'gcp.sink.filter';
export const SINK_PUBLISH_CHECK = 'gcp.sink.publish';

/** The parts of a Cloud Logging LogSink (logging v2 sinks.get) the doctor reads. */
export interface LogSink {
  readonly name?: string;
  readonly destination?: string;
  readonly filter?: string;
  readonly writerIdentity?: string;
  readonly disabled?: boolean;
  readonly exclusions?: readonly { readonly name?: string; readonly disabled?: boolean }[];
}

export interface TopicName {
  readonly project: string;
  readonly topic: string;
}

/** `pubsub.googleapis.com/projects/P/topics/T` -> {P, T}; null for other destinations. */
export function pubsubTopicOf(destination: string | undefined): TopicName | null {
  const match = /^pubsub\.googleapis\.com\/projects\/([^/]+)\/topics\/([^/]+)$/.exec(destination ?? '');
  return match ? { project: match[1]!, topic: match[2]! } : null;
}

/** Roles that carry pubsub.topics.publish on the topic itself or on its project. */
const TOPIC_PUBLISH_ROLES = ['roles/pubsub.publisher', 'roles/pubsub.editor', 'roles/pubsub.admin'];
const PROJECT_PUBLISH_ROLES = [...TOPIC_PUBLISH_ROLES, 'roles/editor', 'roles/owner'];

export interface SinkInputs {
  readonly project: string;
  /** The sink's name as given (--sink); undefined when none was named. */
  readonly sinkName?: string;
  readonly sink?: Fetched<LogSink>;
  /** The destination topic's IAM policy (pubsub topics.getIamPolicy), when the sink has one. */
  readonly topicPolicy?: Fetched<IamPolicy>;
  /** The project IAM policy, fetched for the audit configs; grants there count for topics in it. */
  readonly projectPolicy?: Fetched<IamPolicy>;
  /** LOG_ROUTER_FILTER: the filter the sink should have. */
  readonly expectedFilter: string;
}

function sinkFlags(input: SinkInputs, name: string): string {
  return `gcloud logging sinks update ${shellQuote(name)} --project=${shellQuote(input.project)}`;
}

function normalizeFilter(filter: string): string {
  return filter.replace(/\s+/g, ' ').trim();
}

function checkSinkItself(input: SinkInputs, name: string, sink: LogSink): CheckResult {
  const base = { check: SINK_CHECK, target: name };
  if (sink.disabled === true) {
    return {
      ...base,
      status: 'fail',
      message: `sink ${name} is disabled: it routes nothing, and the empty stream looks like no activity`,
      fix: `${sinkFlags(input, name)} --no-disabled`,
    };
  }
  const topic = pubsubTopicOf(sink.destination);
  if (topic === null) {
    return {
      ...base,
      status: 'warn',
      message: `sink ${name} routes to ${sink.destination ?? 'no destination'}, not a Pub/Sub topic; tokentrail's function reads a topic`,
      fix: `${sinkFlags(input, name)} --destination=pubsub.googleapis.com/projects/PROJECT/topics/TOPIC`,
    };
  }
  return {
    ...base,
    status: 'ok',
    message: `sink ${name} is enabled and routes to topic ${topic.topic} in project ${topic.project}`,
    fix: '',
  };
}

function checkFilter(input: SinkInputs, name: string, sink: LogSink): CheckResult {
  const base = { check: SINK_FILTER_CHECK, target: name };
  const fix = `${sinkFlags(input, name)} --log-filter=${shellQuote(input.expectedFilter)}`;
  const exclusions = (sink.exclusions ?? []).filter((exclusion) => exclusion.disabled !== true);
  const excluded =
    exclusions.length > 0
      ? `; it also has exclusions (${exclusions.map((exclusion) => exclusion.name ?? '?').join(', ')}) that may drop audit entries`
      : '';
  if (!sink.filter || sink.filter.trim() === '') {
    return {
      ...base,
      status: 'warn',
      message: `sink ${name} has no filter: it routes every log entry, which costs more and is mostly skipped${excluded}`,
      fix,
    };
  }
  if (normalizeFilter(sink.filter) !== normalizeFilter(input.expectedFilter)) {
    return {
      ...base,
      status: 'warn',
      message: `sink ${name}'s filter differs from tokentrail's; entries it leaves out never arrive${excluded}`,
      fix,
    };
  }
  if (excluded)
    return { ...base, status: 'warn', message: `sink ${name}'s filter is tokentrail's${excluded}`, fix: '' };
  return { ...base, status: 'ok', message: `sink ${name}'s filter is tokentrail's`, fix: '' };
}

function grantText(grants: ReturnType<typeof grantsTo>, where: string): string {
  return grants
    .map((grant) => `${grant.role} on ${where}${grant.condition ? ` if "${grant.condition}"` : ''}`)
    .join(', ');
}

function checkPublish(input: SinkInputs, name: string, sink: LogSink): CheckResult {
  const base = { check: SINK_PUBLISH_CHECK, target: name };
  const topic = pubsubTopicOf(sink.destination);
  if (topic === null) {
    return { ...base, status: 'skipped', message: `sink ${name} does not route to a Pub/Sub topic`, fix: '' };
  }
  const writer = sink.writerIdentity;
  if (!writer) {
    return {
      ...base,
      status: 'warn',
      message: `sink ${name} has no writerIdentity, so who publishes cannot be checked`,
      fix: '',
    };
  }
  const fix =
    `gcloud pubsub topics add-iam-policy-binding ${shellQuote(topic.topic)} --project=${shellQuote(topic.project)} ` +
    `--member=${shellQuote(writer)} --role=roles/pubsub.publisher`;
  const topicWhere = `topic ${topic.topic}`;
  const topicGrants = input.topicPolicy?.ok
    ? grantsTo(input.topicPolicy.value, writer, TOPIC_PUBLISH_ROLES)
    : [];
  const projectPolicy = topic.project === input.project ? input.projectPolicy : undefined;
  const projectGrants = projectPolicy?.ok ? grantsTo(projectPolicy.value, writer, PROJECT_PUBLISH_ROLES) : [];
  const grants = [
    ...topicGrants.map((grant) => ({ grant, where: topicWhere })),
    ...projectGrants.map((grant) => ({ grant, where: `project ${topic.project}` })),
  ];
  const unconditional = grants.find(({ grant }) => grant.condition === null);
  if (unconditional) {
    return {
      ...base,
      status: 'ok',
      message: `${writer} may publish: ${grantText([unconditional.grant], unconditional.where)}`,
      fix: '',
    };
  }
  if (grants.length > 0) {
    return {
      ...base,
      status: 'warn',
      message: `${writer} may publish only under a condition: ${grants.map(({ grant, where }) => grantText([grant], where)).join(', ')}`,
      fix,
    };
  }
  if (input.topicPolicy && !input.topicPolicy.ok) {
    return unreadable(SINK_PUBLISH_CHECK, `the IAM policy of ${topicWhere}`, input.topicPolicy.failure, {
      target: name,
      grant: `grant roles/iam.securityReviewer (pubsub.topics.getIamPolicy) on project ${topic.project}`,
      create: `gcloud pubsub topics create ${shellQuote(topic.topic)} --project=${shellQuote(topic.project)}`,
    });
  }
  const projectNote = projectPolicy?.ok ? ` or project ${topic.project}` : '';
  return {
    ...base,
    status: 'fail',
    message:
      `sink ${name}'s writer ${writer} holds no publisher role on ${topicWhere}${projectNote}: every entry is ` +
      'dropped with a permission error (unless a group it belongs to is granted; the doctor does not expand groups)',
    fix,
  };
}

/** The sink exists and is enabled, routes tokentrail's filter, and its writer may publish to the topic. */
export function checkLogSink(input: SinkInputs): CheckResult[] {
  if (input.sinkName === undefined || input.sink === undefined) {
    return [
      {
        check: SINK_CHECK,
        status: 'skipped',
        message: 'no sink named: pass --sink NAME to check the Log Router sink that feeds tokentrail',
        fix: `tokentrail doctor --project ${shellQuote(input.project)} --sink NAME`,
      },
    ];
  }
  const name = input.sinkName;
  if (!input.sink.ok) {
    const unread = unreadable(SINK_CHECK, `sink ${name} in project ${input.project}`, input.sink.failure, {
      target: name,
      grant: `grant roles/logging.viewer on project ${input.project}`,
      create:
        `gcloud logging sinks create ${shellQuote(name)} pubsub.googleapis.com/projects/${input.project}/topics/TOPIC ` +
        `--project=${shellQuote(input.project)} --log-filter=${shellQuote(input.expectedFilter)}`,
    });
    const dependent = [SINK_FILTER_CHECK, SINK_PUBLISH_CHECK].map(
      (check): CheckResult => ({
        check,
        status: 'skipped',
        target: name,
        message: `needs sink ${name}, which could not be read`,
        fix: '',
      }),
    );
    return [unread, ...dependent];
  }
  const sink = input.sink.value;
  return [
    checkSinkItself(input, name, sink),
    checkFilter(input, name, sink),
    checkPublish(input, name, sink),
  ];
}
