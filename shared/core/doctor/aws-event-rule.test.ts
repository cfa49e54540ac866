import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_BRIDGE_PATTERN } from '../queries/event-bridge-pattern.js';
import { checkEventRules, DEFAULT_RULE_PREFIX, type EventRule, type RuleInputs } from './aws-event-rule.js';
import { type Fetched, fetched, fetchFailed } from './check-result.js';

function rule(name: string, changes: Partial<EventRule> = {}): EventRule {
  return {
    ...(JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as EventRule),
    ...changes,
  };
}

function run(rules: Fetched<readonly EventRule[]>, ruleName?: string) {
  const input: RuleInputs = {
    region: 'us-east-1',
    namePrefix: DEFAULT_RULE_PREFIX,
    rules,
    ...(ruleName === undefined ? {} : { ruleName }),
  };
  return checkEventRules(input);
}

function summary(rules: Fetched<readonly EventRule[]>, ruleName?: string): string[] {
  return run(rules, ruleName).map((result) => `${result.check} ${result.target ?? '-'} ${result.status}`);
}

const NAME = 'tokentrail-assume-role-with-web-identity';

describe('checkEventRules', () => {
  const cases: [
    label: string,
    rules: Fetched<readonly EventRule[]>,
    ruleName: string | undefined,
    expected: string[],
  ][] = [
    [
      'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      fetched([rule('rule-enabled-all.json')]),
      NAME,
      [`aws.eventbridge.rule-state ${NAME} ok`, `aws.eventbridge.rule-pattern ${NAME} ok`],
    ],
    [
      'ENABLED is a warning',
      fetched([rule('rule-enabled.json')]),
      NAME,
      [`aws.eventbridge.rule-state ${NAME} warn`, `aws.eventbridge.rule-pattern ${NAME} ok`],
    ],
    [
      'DISABLED fails',
      fetched([rule('rule-disabled.json')]),
      NAME,
      [`aws.eventbridge.rule-state ${NAME} fail`, `aws.eventbridge.rule-pattern ${NAME} ok`],
    ],
    [
      'a named rule for S3 fails its pattern',
      fetched([rule('rule-s3-source.json')]),
      'tokentrail-s3-objects',
      [
        'aws.eventbridge.rule-state tokentrail-s3-objects ok',
        'aws.eventbridge.rule-pattern tokentrail-s3-objects fail',
      ],
    ],
    [
      'by prefix: only the STS rule is judged',
      fetched([rule('rule-s3-source.json'), rule('rule-enabled.json')]),
      undefined,
      [`aws.eventbridge.rule-state ${NAME} warn`, `aws.eventbridge.rule-pattern ${NAME} ok`],
    ],
    [
      'by prefix: no rule matches ARWWI',
      fetched([rule('rule-s3-source.json')]),
      undefined,
      ['aws.eventbridge.rule-pattern - fail', 'aws.eventbridge.rule-state - skipped'],
    ],
    [
      'by prefix: no rule at all',
      fetched([]),
      undefined,
      ['aws.eventbridge.rule-state - skipped', 'aws.eventbridge.rule-pattern - skipped'],
    ],
    [
      'a scheduled rule',
      fetched([
        rule('rule-enabled-all.json', { EventPattern: undefined, ScheduleExpression: 'rate(5 minutes)' }),
      ]),
      NAME,
      [`aws.eventbridge.rule-state ${NAME} ok`, `aws.eventbridge.rule-pattern ${NAME} fail`],
    ],
    [
      'a pattern the doctor cannot evaluate',
      fetched([
        rule('rule-enabled-all.json', {
          EventPattern: JSON.stringify({
            source: ['aws.sts'],
            detail: { requestParameters: { roleArn: [{ prefix: 'arn:aws:iam::1' }] } },
          }),
        }),
      ]),
      NAME,
      [`aws.eventbridge.rule-state ${NAME} ok`, `aws.eventbridge.rule-pattern ${NAME} warn`],
    ],
    [
      'rule not found',
      fetchFailed({
        kind: 'not_found',
        httpStatus: 400,
        code: 'ResourceNotFoundException',
        message: 'Rule x does not exist.',
      }),
      'x',
      ['aws.eventbridge.rule-state x fail', 'aws.eventbridge.rule-pattern x fail'],
    ],
    [
      'DescribeRule denied',
      fetchFailed({
        kind: 'denied',
        httpStatus: 400,
        code: 'AccessDeniedException',
        message: 'not authorized',
      }),
      NAME,
      [`aws.eventbridge.rule-state ${NAME} skipped`, `aws.eventbridge.rule-pattern ${NAME} skipped`],
    ],
  ];

  it.each(cases)('%s', (_label, rules, ruleName, expected) => {
    expect(summary(rules, ruleName)).toEqual(expected);
  });

  it('explains ENABLED and gives put-rule with the current pattern and the right state', () => {
    const [state] = run(fetched([rule('rule-enabled.json')]), NAME);
    expect(state!.message).toContain('read-only management events');
    expect(state!.message).toContain('readOnly: true');
    expect(state!.fix).toBe(
      `aws events put-rule --name ${NAME} --event-pattern '${rule('rule-enabled.json').EventPattern}' ` +
        '--state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS --region us-east-1 ' +
        '(Terraform: state = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" on its aws_cloudwatch_event_rule)',
    );
  });

  it('says which part of the pattern rules ARWWI out', () => {
    const [, pattern] = run(fetched([rule('rule-s3-source.json')]), 'tokentrail-s3-objects');
    expect(pattern!.message).toBe(
      "rule tokentrail-s3-objects's pattern does not match AssumeRoleWithWebIdentity from aws.sts (it rules out source, detail.eventSource)",
    );
  });

  it('keeps a custom event bus in the fix', () => {
    const [state] = run(fetched([rule('rule-disabled.json', { EventBusName: 'audit-bus' })]), NAME);
    expect(state!.fix).toContain(`--name ${NAME} --event-bus-name audit-bus --event-pattern`);
  });

  it('passes the pattern tokentrail deploys, and offers it when no rule matches', () => {
    const deployed = JSON.stringify(EVENT_BRIDGE_PATTERN);
    expect(summary(fetched([rule('rule-enabled-all.json', { EventPattern: deployed })]), NAME)).toEqual([
      `aws.eventbridge.rule-state ${NAME} ok`,
      `aws.eventbridge.rule-pattern ${NAME} ok`,
    ]);
    const [pattern] = run(fetched([rule('rule-s3-source.json')]));
    expect(pattern!.fix).toContain(`--event-pattern '${deployed}'`);
  });
});
