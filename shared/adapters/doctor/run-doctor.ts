import { checkEventRules, DEFAULT_RULE_PREFIX } from '../../core/doctor/aws-event-rule.js';
import { checkTrails } from '../../core/doctor/aws-trail.js';
import type { CheckResult } from '../../core/doctor/check-result.js';
import { checkAuditLogs } from '../../core/doctor/gcp-audit-logs.js';
import { checkLogSink, pubsubTopicOf } from '../../core/doctor/gcp-log-sink.js';
import { LOG_ROUTER_FILTER } from '../../core/queries/log-router-filter.js';
import { type AwsDoctorOptions, fetchRules, fetchTrails } from './aws-doctor-config.js';
import { GcpDoctorClient, type GcpDoctorOptions } from './gcp-doctor-config.js';

export interface AwsDoctorTargets extends AwsDoctorOptions {
  readonly trailName?: string;
  readonly ruleName?: string;
  readonly buckets: readonly string[];
}

export interface GcpDoctorTargets extends GcpDoctorOptions {
  readonly project: string;
  readonly sinkName?: string;
}

export interface DoctorTargets {
  readonly aws?: AwsDoctorTargets;
  readonly gcp?: GcpDoctorTargets;
}

async function awsChecks(targets: AwsDoctorTargets): Promise<CheckResult[]> {
  const [trails, rules] = await Promise.all([
    fetchTrails(targets, targets.trailName),
    fetchRules(targets, {
      namePrefix: DEFAULT_RULE_PREFIX,
      ...(targets.ruleName === undefined ? {} : { ruleName: targets.ruleName }),
    }),
  ]);
  const trailInput = {
    region: targets.region,
    trails,
    buckets: targets.buckets,
    ...(targets.trailName === undefined ? {} : { trailName: targets.trailName }),
  };
  const ruleInput = {
    region: targets.region,
    namePrefix: DEFAULT_RULE_PREFIX,
    rules,
    ...(targets.ruleName === undefined ? {} : { ruleName: targets.ruleName }),
  };
  return [...checkTrails(trailInput), ...checkEventRules(ruleInput)];
}

async function gcpChecks(targets: GcpDoctorTargets): Promise<CheckResult[]> {
  const client = new GcpDoctorClient(targets);
  const { project, sinkName } = targets;
  const [projectPolicy, sink] = await Promise.all([
    client.projectIamPolicy(project),
    sinkName === undefined ? Promise.resolve(undefined) : client.sink(project, sinkName),
  ]);
  const topic = sink?.ok ? pubsubTopicOf(sink.value.destination) : null;
  const topicPolicy = topic ? await client.topicIamPolicy(topic.project, topic.topic) : undefined;
  return [
    ...checkAuditLogs(project, projectPolicy),
    ...checkLogSink({
      project,
      projectPolicy,
      expectedFilter: LOG_ROUTER_FILTER,
      ...(sinkName === undefined ? {} : { sinkName }),
      ...(sink === undefined ? {} : { sink }),
      ...(topicPolicy === undefined ? {} : { topicPolicy }),
    }),
  ];
}

/**
 * Fetches each cloud's configuration and runs the checks; the clouds, and every read within one,
 * are independent: a read that fails becomes its own check's skip or failure.
 */
export async function runDoctor(targets: DoctorTargets): Promise<CheckResult[]> {
  const [aws, gcp] = await Promise.all([
    targets.aws ? awsChecks(targets.aws) : Promise.resolve([]),
    targets.gcp ? gcpChecks(targets.gcp) : Promise.resolve([]),
  ]);
  return [...aws, ...gcp];
}
