import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_ROUTER_FILTER } from '../../shared/core/queries/log-router-filter.js';
import { runCli } from '../helpers/cli-harness.js';
import {
  awsError,
  type FakeAwsServer,
  type FakeAwsState,
  startFakeAwsConfig,
} from '../helpers/fake-aws-config.js';
import {
  type FakeGcpServer,
  type FakeGcpState,
  gcpError,
  startFakeGcpConfig,
} from '../helpers/fake-gcp-config.js';

const FIXTURES = join(__dirname, '../../shared/core/doctor/fixtures');

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely in tests
function fixture(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

const WRITER = 'serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com';
const RULE = 'tokentrail-assume-role-with-web-identity';

function goodAws(): FakeAwsState {
  return {
    trails: [
      {
        description: fixture('describe-trails-org.json').trailList[0],
        status: fixture('trail-status-logging.json'),
        selectors: fixture('event-selectors-advanced-bucket.json'),
      },
    ],
    rules: [fixture('rule-enabled-all.json'), fixture('rule-s3-source.json')],
  };
}

function goodGcp(): FakeGcpState {
  return {
    projectPolicies: { 'acme-audit': fixture('project-policy-complete.json') },
    sinks: {
      'acme-audit/tokentrail-audit': { ...fixture('sink-tokentrail.json'), filter: LOG_ROUTER_FILTER },
    },
    topicPolicies: { 'acme-audit/tokentrail-audit': fixture('topic-policy-publisher.json') },
  };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Check lines of the human output: `<mark> <check> [<target>]`. */
  readonly lines: string[];
}

/** Runs `tokentrail doctor ...` in-process, through the CLI's own entry. */
async function doctor(argv: string[], env: Record<string, string | undefined>): Promise<Run> {
  const { code, stdout, stderr } = await runCli(['doctor', ...argv], {
    env,
    now: new Date('2026-02-01T00:00:00Z'),
  });
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('['))
    .map((line) => line.slice(0, line.indexOf(':')));
  return { code, stdout, stderr, lines };
}

describe('tokentrail doctor against local AWS and GCP stand-ins', () => {
  let aws: FakeAwsServer;
  let gcp: FakeGcpServer;
  let env: Record<string, string>;
  const both = [
    '--region',
    'us-east-1',
    '--buckets',
    'acme-prod-data',
    '--project',
    'acme-audit',
    '--sink',
    'tokentrail-audit',
  ];

  beforeAll(async () => {
    aws = await startFakeAwsConfig(goodAws());
    gcp = await startFakeGcpConfig(goodGcp());
    env = { TOKENTRAIL_AWS_ENDPOINT: aws.url, TOKENTRAIL_GCP_ENDPOINT: gcp.url };
  });
  afterAll(async () => {
    await aws.close();
    await gcp.close();
  });
  beforeEach(() => {
    aws.state = goodAws();
    gcp.state = goodGcp();
    (aws.requests as unknown[]).length = 0;
    (gcp.requests as unknown[]).length = 0;
  });

  it('all good: every check ok, exit 0, and the exact requests', async () => {
    const run = await doctor(both, env);
    expect(run.stderr).toBe('');
    expect(run.lines).toEqual([
      '[ok]   aws.trail.logging [org-trail]',
      '[ok]   aws.trail.management-events [org-trail]',
      '[ok]   aws.trail.data-events [acme-prod-data]',
      `[ok]   aws.eventbridge.rule-state [${RULE}]`,
      `[ok]   aws.eventbridge.rule-pattern [${RULE}]`,
      '[ok]   gcp.audit-logs [sts.googleapis.com]',
      '[ok]   gcp.audit-logs [iamcredentials.googleapis.com]',
      '[ok]   gcp.audit-logs [storage.googleapis.com]',
      '[ok]   gcp.sink [tokentrail-audit]',
      '[ok]   gcp.sink.filter [tokentrail-audit]',
      '[ok]   gcp.sink.publish [tokentrail-audit]',
    ]);
    expect(run.stdout).toContain('11 checks ok, 0 warnings, 0 failed, 0 skipped');
    expect(run.stdout).toContain('An empty event stream is not evidence of no activity');
    expect(run.code).toBe(0);

    const trailArn = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail';
    const awsCalls = aws.requests.map((request) => [request.target.split('.').pop(), request.body]);
    expect(awsCalls).toEqual(
      expect.arrayContaining([
        ['DescribeTrails', { includeShadowTrails: true }],
        ['GetTrailStatus', { Name: trailArn }],
        ['GetEventSelectors', { TrailName: trailArn }],
        ['ListRules', { NamePrefix: 'tokentrail' }],
      ]),
    );
    expect(aws.requests).toHaveLength(4);
    for (const request of aws.requests) {
      expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
      // Signed, but with the placeholder key: real credentials never go to a local endpoint.
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=tokentrail-local\/\d{8}\/us-east-1\//,
      );
    }
    expect(aws.requests.map((request) => request.target).sort()).toEqual([
      'AWSEvents.ListRules',
      'CloudTrail_20131101.DescribeTrails',
      'CloudTrail_20131101.GetEventSelectors',
      'CloudTrail_20131101.GetTrailStatus',
    ]);

    expect(gcp.requests.map((request) => `${request.method} ${request.path}`).sort()).toEqual([
      'GET /v1/projects/acme-audit/topics/tokentrail-audit:getIamPolicy',
      'GET /v2/projects/acme-audit/sinks/tokentrail-audit',
      'POST /v1/projects/acme-audit:getIamPolicy',
    ]);
    const policyRequest = gcp.requests.find((request) => request.method === 'POST')!;
    expect(policyRequest.body).toEqual({ options: { requestedPolicyVersion: 3 } });
    expect(policyRequest.headers['content-type']).toBe('application/json');
    for (const request of gcp.requests) expect(request.headers.authorization).toBeUndefined();
  });

  it('audit config without storage DATA_READ: fails with the fix, exit 4', async () => {
    gcp.state = {
      ...goodGcp(),
      projectPolicies: { 'acme-audit': fixture('project-policy-no-storage-read.json') },
    };
    const run = await doctor(['--project', 'acme-audit', '--sink', 'tokentrail-audit'], env);
    expect(run.lines).toContain('[FAIL] gcp.audit-logs [storage.googleapis.com]');
    expect(run.stdout).toContain(
      '[FAIL] gcp.audit-logs [storage.googleapis.com]: Data Access audit logs DATA_READ is off for storage.googleapis.com in project acme-audit',
    );
    expect(run.stdout).toContain(
      '    fix: gcloud projects get-iam-policy acme-audit --format=json > policy.json; add {"service":"storage.googleapis.com","auditLogConfigs":[{"logType":"DATA_READ"},{"logType":"DATA_WRITE"}]}',
    );
    expect(run.code).toBe(4);
    expect(aws.requests).toHaveLength(0);
  });

  it('rule ENABLED (not ENABLED_WITH_ALL...): a warning with the reason, exit 0', async () => {
    aws.state = { ...goodAws(), rules: [fixture('rule-enabled.json')] };
    const run = await doctor(['--region', 'us-east-1', '--rule', RULE, '--buckets', 'acme-prod-data'], env);
    expect(run.lines).toContain(`[warn] aws.eventbridge.rule-state [${RULE}]`);
    expect(run.stdout).toContain('AssumeRoleWithWebIdentity is one (readOnly: true)');
    expect(run.stdout).toContain('--state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS --region us-east-1');
    expect(run.code).toBe(0);
    expect(aws.requests.map((request) => request.target)).toContain('AWSEvents.DescribeRule');
    expect(aws.requests.find((request) => request.target === 'AWSEvents.DescribeRule')!.body).toEqual({
      Name: RULE,
    });
  });

  it('rule DISABLED fails; a named rule that does not exist fails', async () => {
    aws.state = { ...goodAws(), rules: [fixture('rule-disabled.json')] };
    const disabled = await doctor(['--region', 'us-east-1', '--rule', RULE], env);
    expect(disabled.lines).toContain(`[FAIL] aws.eventbridge.rule-state [${RULE}]`);
    expect(disabled.code).toBe(4);
    const missing = await doctor(['--region', 'us-east-1', '--rule', 'nope'], env);
    expect(missing.stdout).toContain(
      '[FAIL] aws.eventbridge.rule-state [nope]: EventBridge rule nope in us-east-1 does not exist (400 ResourceNotFoundException: Rule nope does not exist)',
    );
  });

  it('a trail without S3 data events for a named bucket: fails, exit 4', async () => {
    const state = goodAws();
    aws.state = {
      ...state,
      trails: [{ ...state.trails![0]!, selectors: fixture('event-selectors-default.json') }],
    };
    const run = await doctor(
      ['--region', 'us-east-1', '--trail', 'org-trail', '--buckets', 'acme-prod-data,s3://acme-artifacts/'],
      env,
    );
    expect(run.lines).toEqual(
      expect.arrayContaining([
        '[ok]   aws.trail.logging [org-trail]',
        '[FAIL] aws.trail.data-events [acme-prod-data]',
        '[FAIL] aws.trail.data-events [acme-artifacts]',
      ]),
    );
    expect(run.stdout).toContain(
      "fix: aws cloudtrail put-event-selectors --trail-name org-trail --region us-east-1 --event-selectors '",
    );
    expect(run.stdout).toContain('"Values":["arn:aws:s3:::acme-prod-data/","arn:aws:s3:::acme-artifacts/"]');
    expect(run.code).toBe(4);
    const describe = aws.requests.find((request) => request.target.endsWith('DescribeTrails'))!;
    expect(describe.body).toEqual({ trailNameList: ['org-trail'], includeShadowTrails: true });
  });

  it('a sink whose writer cannot publish: fails with the binding to add, exit 4', async () => {
    gcp.state = {
      ...goodGcp(),
      topicPolicies: { 'acme-audit/tokentrail-audit': fixture('topic-policy-no-publisher.json') },
    };
    const run = await doctor(['--project', 'acme-audit', '--sink', 'tokentrail-audit'], env);
    expect(run.lines).toContain('[FAIL] gcp.sink.publish [tokentrail-audit]');
    expect(run.stdout).toContain(
      `    fix: gcloud pubsub topics add-iam-policy-binding tokentrail-audit --project=acme-audit --member=${WRITER} --role=roles/pubsub.publisher\n`,
    );
    expect(run.code).toBe(4);
  });

  it('a 403 on getIamPolicy skips the audit-log checks with the reason; the rest still run', async () => {
    gcp.state = {
      ...goodGcp(),
      projectPolicies: {
        'acme-audit': gcpError(403, 'PERMISSION_DENIED', 'The caller does not have permission'),
      },
    };
    const run = await doctor(both, env);
    expect(run.stdout).toContain(
      '[skip] gcp.audit-logs [sts.googleapis.com]: could not read the IAM policy of project acme-audit: 403 PERMISSION_DENIED: ' +
        'The caller does not have permission; grant roles/iam.securityReviewer on project acme-audit or run with a principal that can',
    );
    expect(run.lines.filter((line) => line.startsWith('[skip]'))).toHaveLength(3);
    expect(run.lines.filter((line) => line.startsWith('[ok]'))).toHaveLength(8);
    expect(run.lines).toContain('[ok]   gcp.sink.publish [tokentrail-audit]');
    expect(run.code).toBe(0);
  });

  it('AWS permission errors skip only their own checks', async () => {
    const state = goodAws();
    aws.state = {
      ...state,
      trails: [
        {
          ...state.trails![0]!,
          selectors: awsError(
            'AccessDeniedException',
            'User is not authorized to perform: cloudtrail:GetEventSelectors',
          ),
        },
      ],
      rulesError: awsError('AccessDeniedException', 'User is not authorized to perform: events:ListRules'),
    };
    const run = await doctor(['--region', 'us-east-1', '--buckets', 'acme-prod-data'], env);
    expect(run.lines).toEqual([
      '[ok]   aws.trail.logging [org-trail]',
      '[skip] aws.trail.management-events',
      '[skip] aws.trail.data-events [acme-prod-data]',
      '[skip] aws.eventbridge.rule-state',
      '[skip] aws.eventbridge.rule-pattern',
    ]);
    expect(run.stdout).toContain(
      '400 AccessDeniedException: User is not authorized to perform: events:ListRules; grant events:DescribeRule',
    );
    expect(run.code).toBe(0);
  });

  it('--json: one object per check and a summary, exact values', async () => {
    gcp.state = {
      ...goodGcp(),
      topicPolicies: { 'acme-audit/tokentrail-audit': fixture('topic-policy-no-publisher.json') },
    };
    const run = await doctor(['--project', 'acme-audit', '--sink', 'tokentrail-audit', '--json'], env);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(7);
    expect(lines[5]).toEqual({
      check: 'gcp.sink.publish',
      status: 'fail',
      target: 'tokentrail-audit',
      message: expect.stringContaining(`${WRITER} holds no publisher role`),
      fix: expect.stringContaining('--role=roles/pubsub.publisher'),
    });
    expect(lines[6]).toEqual(
      expect.objectContaining({ type: 'summary', ok: 5, warn: 0, fail: 1, skipped: 0 }),
    );
    expect(run.code).toBe(4);
  });

  it('shows names from the cloud terminal-safe', async () => {
    const writer = 'serviceAccount:evil\u001b[2J\u202e@x.iam.gserviceaccount.com';
    gcp.state = {
      ...goodGcp(),
      sinks: {
        'acme-audit/tokentrail-audit': {
          ...fixture('sink-tokentrail.json'),
          filter: LOG_ROUTER_FILTER,
          writerIdentity: writer,
        },
      },
    };
    const run = await doctor(['--project', 'acme-audit', '--sink', 'tokentrail-audit'], env);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).not.toContain('\u202e');
    expect(run.stdout).toContain('serviceAccount:evil\\u001b[2J\\u202e@x.iam.gserviceaccount.com');
  });

  it('an unreachable endpoint skips every check and exits 1: nothing could be checked', async () => {
    const closed = await startFakeGcpConfig({});
    await closed.close();
    const run = await doctor(['--project', 'acme-audit'], { TOKENTRAIL_GCP_ENDPOINT: closed.url });
    expect(run.lines).toEqual([
      '[skip] gcp.audit-logs [sts.googleapis.com]',
      '[skip] gcp.audit-logs [iamcredentials.googleapis.com]',
      '[skip] gcp.audit-logs [storage.googleapis.com]',
      '[skip] gcp.sink',
    ]);
    expect(run.stdout).toContain(
      `could not read the IAM policy of project acme-audit: Resource Manager projects.getIamPolicy at ${closed.url}/v1/projects/acme-audit:getIamPolicy: network error (ECONNREFUSED)`,
    );
    expect(run.code).toBe(1);
  });

  it('picks the clouds from the flags and the environment', async () => {
    const awsOnly = await doctor([], { ...env, AWS_REGION: 'us-east-1' });
    expect(awsOnly.lines.every((line) => line.includes(' aws.'))).toBe(true);
    expect(awsOnly.lines.length).toBeGreaterThan(0);
    const gcpOnly = await doctor(['--gcp'], {
      ...env,
      AWS_REGION: 'us-east-1',
      GOOGLE_CLOUD_PROJECT: 'acme-audit',
    });
    expect(gcpOnly.lines.every((line) => line.includes(' gcp.'))).toBe(true);
    const byArn = await doctor(['--trail', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail'], env);
    expect(byArn.lines[0]).toBe('[ok]   aws.trail.logging [org-trail]');
  });

  it.each([
    [[], 'nothing to check: name a cloud'],
    [['--sink', 'x'], '--sink is a GCP option'],
    [['--gcp', '--project', 'p', '--buckets', 'b'], '--buckets is an AWS option'],
    [['--aws'], 'the AWS checks need a region'],
    [['--gcp'], 'the GCP checks need a project'],
  ])('usage error %j: exit 1', async (argv, message) => {
    const run = await doctor(argv, env);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(1);
  });

  it('documents the exit codes in --help', async () => {
    const run = await doctor(['--help'], env);
    expect(run.stdout).toContain(
      'Exit status: 0 no check failed (warnings and skips allowed), 4 some check failed',
    );
    expect(run.code).toBe(0);
  });
});
