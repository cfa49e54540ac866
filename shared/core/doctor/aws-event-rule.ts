import { EVENT_BRIDGE_PATTERN } from '../queries/event-bridge-pattern.js';
import { shellQuote } from '../render/shell-quote.js';
import { type CheckResult, type Fetched, unreadable } from './check-result.js';
import { matchEventPattern, type PatternResult } from './event-pattern.js';

export const RULE_STATE_CHECK = 'aws.eventbridge.rule-state';
export const RULE_PATTERN_CHECK = 'aws.eventbridge.rule-pattern';

/** The rule-name prefix looked for when no --rule is given. */
export const DEFAULT_RULE_PREFIX = 'tokentrail';

/** The parts of an EventBridge rule (DescribeRule, ListRules) the doctor reads. */
export interface EventRule {
  readonly Name?: string;
  readonly EventPattern?: string;
  readonly State?: string;
  readonly EventBusName?: string;
  readonly ScheduleExpression?: string;
}

export interface RuleInputs {
  readonly region: string;
  /** --rule; otherwise the rules whose names start with `namePrefix` count. */
  readonly ruleName?: string;
  readonly namePrefix: string;
  readonly rules: Fetched<readonly EventRule[]>;
}

const ALL_MANAGEMENT_EVENTS = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** The pattern tokentrail's rule should have, as a fix gives it. */
const EXPECTED_PATTERN = JSON.stringify(EVENT_BRIDGE_PATTERN);

/**
 * What an AssumeRoleWithWebIdentity looks like on EventBridge (events.md §1.3, §2): the fields a
 * pattern may plausibly filter on. Fields set to undefined are known to be absent on a success.
 */
const MODEL_EVENT = {
  version: '0',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.sts',
  resources: [],
  detail: {
    eventVersion: '1.08',
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    eventType: 'AwsApiCall',
    eventCategory: 'Management',
    managementEvent: true,
    readOnly: true,
    userIdentity: { type: 'WebIdentityUser' },
    errorCode: undefined,
    errorMessage: undefined,
  },
};

const GRANT =
  'grant events:DescribeRule and events:ListRules (e.g. the AmazonEventBridgeReadOnlyAccess policy)';

function putRuleFix(input: RuleInputs, rule: EventRule, pattern: string): string {
  const bus =
    rule.EventBusName && rule.EventBusName !== 'default'
      ? ` --event-bus-name ${shellQuote(rule.EventBusName)}`
      : '';
  return (
    `aws events put-rule --name ${shellQuote(rule.Name ?? input.ruleName ?? 'tokentrail-assume-role-with-web-identity')}${bus} ` +
    `--event-pattern ${shellQuote(pattern)} --state ${ALL_MANAGEMENT_EVENTS} --region ${shellQuote(input.region)} ` +
    `(Terraform: state = "${ALL_MANAGEMENT_EVENTS}" on its aws_cloudwatch_event_rule)`
  );
}

function parsePattern(rule: EventRule): unknown {
  try {
    return rule.EventPattern ? JSON.parse(rule.EventPattern) : null;
  } catch {
    return null;
  }
}

function evaluate(rule: EventRule): PatternResult {
  const pattern = parsePattern(rule);
  return pattern === null ? { verdict: 'no', failed: [] } : matchEventPattern(pattern, MODEL_EVENT);
}

function checkPattern(input: RuleInputs, rule: EventRule, result: PatternResult): CheckResult {
  const name = rule.Name ?? '?';
  const base = { check: RULE_PATTERN_CHECK, target: name };
  const fix = putRuleFix(input, rule, EXPECTED_PATTERN);
  if (!rule.EventPattern) {
    return { ...base, status: 'fail', message: `rule ${name} has no event pattern (a scheduled rule?)`, fix };
  }
  if (parsePattern(rule) === null) {
    return { ...base, status: 'fail', message: `rule ${name}'s event pattern is not a JSON object`, fix };
  }
  if (result.verdict === 'no') {
    const where = result.failed.length > 0 ? ` (it rules out ${result.failed.join(', ')})` : '';
    return {
      ...base,
      status: 'fail',
      message: `rule ${name}'s pattern does not match AssumeRoleWithWebIdentity from aws.sts${where}`,
      fix,
    };
  }
  if (result.verdict === 'unknown') {
    return {
      ...base,
      status: 'warn',
      message: `rule ${name}'s pattern filters on fields or matchers the doctor cannot evaluate; check it matches source aws.sts, eventName AssumeRoleWithWebIdentity`,
      fix: '',
    };
  }
  return {
    ...base,
    status: 'ok',
    message: `rule ${name}'s pattern matches AssumeRoleWithWebIdentity from aws.sts`,
    fix: '',
  };
}

/**
 * ENABLED leaves out read-only management events delivered through CloudTrail, and
 * AssumeRoleWithWebIdentity is one (readOnly: true). AWS also says such events may still arrive
 * when their names do not start with Get, List or Describe, which is why ENABLED is a warning,
 * not a failure: it may work today and stop without notice (events.md §1.3).
 */
function checkState(input: RuleInputs, rule: EventRule): CheckResult {
  const name = rule.Name ?? '?';
  const base = { check: RULE_STATE_CHECK, target: name };
  const fix = putRuleFix(input, rule, rule.EventPattern ?? EXPECTED_PATTERN);
  switch (rule.State) {
    case ALL_MANAGEMENT_EVENTS:
      return { ...base, status: 'ok', message: `rule ${name} is ${ALL_MANAGEMENT_EVENTS}`, fix: '' };
    case 'ENABLED':
      return {
        ...base,
        status: 'warn',
        message:
          `rule ${name} is ENABLED, which leaves out read-only management events from CloudTrail; ` +
          'AssumeRoleWithWebIdentity is one (readOnly: true). AWS says events not named Get*/List*/Describe* ' +
          `may still arrive, so it may work today, but only ${ALL_MANAGEMENT_EVENTS} is documented to deliver it`,
        fix,
      };
    case 'DISABLED':
      return {
        ...base,
        status: 'fail',
        message: `rule ${name} is DISABLED: no event reaches tokentrail, and the empty stream looks like no activity`,
        fix,
      };
    default:
      return {
        ...base,
        status: 'warn',
        message: `rule ${name} has an unknown state ${rule.State ?? '(none)'}`,
        fix,
      };
  }
}

/** The EventBridge rule that delivers AssumeRoleWithWebIdentity: its state and its pattern. */
export function checkEventRules(input: RuleInputs): CheckResult[] {
  const checks = [RULE_STATE_CHECK, RULE_PATTERN_CHECK];
  const target = input.ruleName === undefined ? {} : { target: input.ruleName };
  if (!input.rules.ok) {
    const failure = input.rules.failure;
    return checks.map((check) =>
      unreadable(
        check,
        `EventBridge rule ${input.ruleName ?? `${input.namePrefix}*`} in ${input.region}`,
        failure,
        {
          ...target,
          grant: GRANT,
          create: putRuleFix(input, {}, EXPECTED_PATTERN),
        },
      ),
    );
  }
  const rules = input.rules.value;
  if (rules.length === 0) {
    return checks.map((check) => ({
      check,
      status: 'skipped' as const,
      message:
        `no EventBridge rule named ${input.namePrefix}* in ${input.region}; if AssumeRoleWithWebIdentity reaches ` +
        'tokentrail through EventBridge, name its rule with --rule NAME',
      fix: '',
    }));
  }
  const evaluated = rules.map((rule) => ({ rule, result: evaluate(rule) }));
  const relevant =
    input.ruleName === undefined ? evaluated.filter(({ result }) => result.verdict !== 'no') : evaluated;
  if (relevant.length === 0) {
    const names = rules.map((rule) => rule.Name ?? '?').join(', ');
    return [
      {
        check: RULE_PATTERN_CHECK,
        status: 'fail',
        message: `none of the rules named ${input.namePrefix}* (${names}) matches AssumeRoleWithWebIdentity from aws.sts`,
        fix: putRuleFix(input, {}, EXPECTED_PATTERN),
      },
      {
        check: RULE_STATE_CHECK,
        status: 'skipped',
        message: 'needs a rule that matches AssumeRoleWithWebIdentity',
        fix: '',
      },
    ];
  }
  return relevant.flatMap(({ rule, result }) => [checkState(input, rule), checkPattern(input, rule, result)]);
}
