// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::Region} and the like are CloudFormation Fn::Sub, not JavaScript
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_BRIDGE_PATTERN } from '../../shared/core/queries/event-bridge-pattern.js';
import { killRunningProcesses } from '../helpers/run-process.js';
import { ROOT, runServerless } from './run-serverless.js';
import { type ZipEntry, zipEntries } from './zip-entries.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are inspected freely
type Cfn = any;
type Template = {
  Resources: Record<string, Cfn>;
  Conditions: Record<string, Cfn>;
  Outputs: Record<string, Cfn>;
};

interface Packaged {
  readonly template: Template;
  readonly zip: ZipEntry[];
}

const HANDLERS = {
  EventbridgeLambdaFunction: 'functions/aws/eventbridge.handler',
  CloudtrailFilesLambdaFunction: 'functions/aws/cloudtrail-files.handler',
  CloudwatchLogsLambdaFunction: 'functions/aws/cloudwatch-logs.handler',
  ScheduledDetectLambdaFunction: 'functions/aws/scheduled-detect.handler',
};

/**
 * The example external_account config. Packaging needs one (a missing file stops it), so the
 * defaults run names it too; its other parameters stay the defaults.
 */
const CREDENTIALS_FIXTURE = 'functions/aws/fixtures/gcp-wif-credentials.example.json';
/** The command packaging names when the credential config is missing or wrong (README, deploy). */
const CREATE_CREDENTIALS = (file: string) =>
  `(cd infra/gcp && terraform output -raw lambda_credential_config) > ${file}`;

const PARAMS = {
  trailBucket: 'acme-org-trail',
  trailKmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  cloudTrailLogGroup: 'aws-cloudtrail-logs-111122223333-org',
  bigQueryProject: 'acme-audit',
  bigQueryDataset: 'tokentrail',
  gcpCredentialsFile: CREDENTIALS_FIXTURE,
  policyFile: 'docs/policy.example.yaml',
  webhooks: 'slack=ssm:/tokentrail/slack-webhook',
  webhookParameter: '/tokentrail/slack-webhook',
  alarmTopicArn: 'arn:aws:sns:us-east-1:111122223333:tokentrail-alarms',
};

let directory: string;
let defaults: Packaged;
let configured: Packaged;

/**
 * What `tokentrail ranges update` writes, packaged from the repository's .tokentrail/ranges. A
 * checkout that has none gets this one for the configured run only (the defaults run shows the
 * package without it); one that has its own keeps it, and both runs must ship it.
 */
const RANGES_DIRECTORY = join(ROOT, '.tokentrail', 'ranges');
const RANGES_FILE = join(RANGES_DIRECTORY, 'github-meta.json');
const SAMPLE_RANGES = `${JSON.stringify({ actions: ['192.0.2.0/24'] })}\n`;
let ownRanges: boolean;

async function packageService(name: string, args: string[]): Promise<Packaged> {
  const out = join(directory, name);
  const run = await runServerless(['package', '--package', out, ...args]);
  if (run.code !== 0)
    throw new Error(`serverless package failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  return {
    template: JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')),
    zip: zipEntries(join(out, 'tokentrail.zip')),
  };
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-sls-package-'));
  // One after the other: osls stages every package in the service's own .serverless directory.
  ownRanges = existsSync(RANGES_FILE);
  const createdDirectory = !existsSync(RANGES_DIRECTORY);
  defaults = await packageService('defaults', [`--param=gcpCredentialsFile=${CREDENTIALS_FIXTURE}`]);
  if (!ownRanges) {
    mkdirSync(RANGES_DIRECTORY, { recursive: true });
    // Whole or not at all, for a build that reads the directory meanwhile.
    writeFileSync(`${RANGES_FILE}.test.tmp`, SAMPLE_RANGES);
    renameSync(`${RANGES_FILE}.test.tmp`, RANGES_FILE);
  }
  try {
    configured = await packageService('configured', [
      '--stage',
      'prod',
      ...Object.entries(PARAMS).map(([key, value]) => `--param=${key}=${value}`),
    ]);
  } finally {
    if (!ownRanges) rmSync(RANGES_FILE, { force: true });
    if (createdDirectory) {
      try {
        rmdirSync(RANGES_DIRECTORY);
      } catch {
        // not empty: a ranges update wrote there meanwhile, and its files stay
      }
    }
  }
}, 270_000); // two osls runs, each killed past SERVERLESS_RUN_TIMEOUT

afterAll(() => {
  killRunningProcesses();
  rmSync(directory, { recursive: true, force: true });
});

const ofType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** Every string inside a CloudFormation value (Fn::Sub templates, Fn::If branches, lists). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A role's statements, with each `Fn::If [cond, statement, AWS::NoValue]` taken as its statement. */
function statementsOf(role: Cfn): { statement: Cfn; condition: string | null }[] {
  return role.Properties.Policies.flatMap((policy: Cfn) =>
    policy.PolicyDocument.Statement.map((entry: Cfn) =>
      entry['Fn::If']
        ? { statement: entry['Fn::If'][1], condition: entry['Fn::If'][0] }
        : { statement: entry, condition: null },
    ),
  );
}

describe('npx serverless package (osls, offline, no AWS credentials)', () => {
  it('deploys four functions on nodejs22.x, arm64, each with its own role', () => {
    for (const template of [defaults.template, configured.template]) {
      const functions = Object.fromEntries(ofType(template, 'AWS::Lambda::Function'));
      expect(Object.keys(functions).sort()).toEqual(Object.keys(HANDLERS).sort());
      const roles = new Set<string>();
      for (const [id, handler] of Object.entries(HANDLERS)) {
        expect(functions[id].Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: handler,
        });
        const role = functions[id].Properties.Role['Fn::GetAtt'];
        expect(role[1]).toBe('Arn');
        expect(template.Resources[role[0]].Type).toBe('AWS::IAM::Role');
        roles.add(role[0]);
      }
      expect(roles.size).toBe(4);
      expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    }
    // Fixed names: the GCP workload identity provider admits exactly these roles.
    const names = ofType(configured.template, 'AWS::IAM::Role').map(([, role]) => role.Properties.RoleName);
    expect(names.sort()).toEqual([
      'tokentrail-prod-us-east-1-cwlogs',
      'tokentrail-prod-us-east-1-detect',
      'tokentrail-prod-us-east-1-eventbridge',
      'tokentrail-prod-us-east-1-files',
    ]);
    expect(configured.template.Outputs.LambdaRoleNames.Value.split(',').sort()).toEqual(names);
  });

  it('subscribes to STS AssumeRoleWithWebIdentity, read-only management events included', () => {
    const rule = defaults.template.Resources.FederationEventsRule;
    expect(rule.Type).toBe('AWS::Events::Rule');
    expect(rule.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    // The pattern derived from the normalizers, through infra/aws/event-pattern.json.
    expect(rule.Properties.EventPattern).toEqual(EVENT_BRIDGE_PATTERN);
    expect(configured.template.Resources.FederationEventsRule.Properties.EventPattern).toEqual(
      EVENT_BRIDGE_PATTERN,
    );
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': ['EventbridgeLambdaFunction', 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['AsyncDeadLetterQueue', 'Arn'] } },
      }),
    ]);
    expect(defaults.template.Resources.FederationEventsPermission.Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['EventbridgeLambdaFunction', 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['FederationEventsRule', 'Arn'] },
    });
  });

  it('consumes the trail queue with partial batch failures, and dead-letters after 5 receives', () => {
    const { Resources, Conditions } = defaults.template;
    expect(Resources.CloudtrailFilesEventSourceMapping.Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['CloudtrailFilesLambdaFunction', 'Arn'] },
      EventSourceArn: { 'Fn::If': ['CreateTrailQueue', { 'Fn::GetAtt': ['TrailQueue', 'Arn'] }, ''] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(Conditions.CreateTrailQueue).toEqual({ 'Fn::Equals': ['', ''] });
    expect(Resources.TrailQueue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['TrailDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    const timeout = Resources.CloudtrailFilesLambdaFunction.Properties.Timeout;
    expect(Resources.TrailQueue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    const sendPolicy = Resources.TrailQueuePolicy.Properties.PolicyDocument.Statement[0];
    expect(sendPolicy).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    expect(stringsIn(configured.template.Resources.TrailQueuePolicy)).toContain(
      'arn:${AWS::Partition}:s3:::acme-org-trail',
    );
  });

  it('sends failed async invocations to a dead-letter queue, and alarms on every dead-letter queue', () => {
    const { Resources } = configured.template;
    const invokeConfigs = ofType(configured.template, 'AWS::Lambda::EventInvokeConfig').map(
      ([, resource]) => resource.Properties,
    );
    expect(invokeConfigs.map((config) => config.FunctionName.Ref).sort()).toEqual([
      'CloudwatchLogsLambdaFunction',
      'EventbridgeLambdaFunction',
      'ScheduledDetectLambdaFunction',
    ]);
    for (const config of invokeConfigs) {
      expect(config.DestinationConfig.OnFailure.Destination).toEqual({
        'Fn::GetAtt': ['AsyncDeadLetterQueue', 'Arn'],
      });
    }
    const alarms = ofType(configured.template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    expect(alarms.map((alarm) => alarm.Dimensions[0].Value['Fn::GetAtt'][0]).sort()).toEqual([
      'AsyncDeadLetterQueue',
      'TrailDeadLetterQueue',
    ]);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: { 'Fn::If': ['HasAlarmTopic', [PARAMS.alarmTopicArn], { Ref: 'AWS::NoValue' }] },
      });
    }
    expect(Resources.TrailDeadLetterQueue.Type).toBe('AWS::SQS::Queue');
  });

  it('runs detection on a schedule and subscribes to the CloudTrail log group when one is named', () => {
    const schedules = ofType(defaults.template, 'AWS::Events::Rule')
      .map(([, rule]) => rule.Properties)
      .filter((rule) => rule.ScheduleExpression);
    expect(schedules).toEqual([
      expect.objectContaining({
        ScheduleExpression: 'rate(15 minutes)',
        Targets: [
          expect.objectContaining({ Arn: { 'Fn::GetAtt': ['ScheduledDetectLambdaFunction', 'Arn'] } }),
        ],
      }),
    ]);
    const subscription = configured.template.Resources.CloudTrailLogsSubscription;
    expect(subscription).toMatchObject({
      Condition: 'HasCloudTrailLogGroup',
      Properties: {
        LogGroupName: PARAMS.cloudTrailLogGroup,
        DestinationArn: { 'Fn::GetAtt': ['CloudwatchLogsLambdaFunction', 'Arn'] },
      },
    });
    expect(subscription.Properties.FilterPattern).toContain('AssumeRoleWithWebIdentity');
    expect(configured.template.Conditions.HasCloudTrailLogGroup).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [PARAMS.cloudTrailLogGroup, ''] }],
    });
  });

  it('grants each role only named actions on named resources', () => {
    const allowedWildcards = [
      /^arn:\$\{AWS::Partition\}:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:\/aws\/lambda\/tokentrail-prod-[A-Za-z]+:\*$/,
      /^arn:\$\{AWS::Partition\}:s3:::acme-org-trail\/AWSLogs\/\*$/,
    ];
    const roles = ofType(configured.template, 'AWS::IAM::Role');
    expect(roles).toHaveLength(4);
    for (const [id, role] of roles) {
      for (const { statement } of statementsOf(role)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of [statement.Action].flat()) {
          expect({ id, action }).toEqual({ id, action: expect.stringMatching(/^[a-z0-9]+:[A-Za-z]+$/) });
        }
        for (const resource of stringsIn(statement.Resource).filter((text) => text.includes('*'))) {
          expect({
            id,
            resource,
            allowed: allowedWildcards.some((pattern) => pattern.test(resource)),
          }).toEqual({
            id,
            resource,
            allowed: true,
          });
        }
      }
    }
  });

  it('gives the file reader S3, its queue and the trail key; every role the webhook parameter only', () => {
    const statements = (id: string) =>
      statementsOf(configured.template.Resources[id]).map(({ statement, condition }) => ({
        action: statement.Action,
        resource: statement.Resource,
        condition,
      }));
    const files = statements('CloudtrailFilesRole');
    expect(files).toEqual(
      expect.arrayContaining([
        {
          action: 's3:GetObject',
          resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::acme-org-trail/AWSLogs/*' },
          condition: null,
        },
        {
          action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          resource: { 'Fn::If': ['CreateTrailQueue', { 'Fn::GetAtt': ['TrailQueue', 'Arn'] }, ''] },
          condition: null,
        },
        { action: 'kms:Decrypt', resource: PARAMS.trailKmsKeyArn, condition: 'HasTrailKmsKey' },
      ]),
    );
    for (const id of [
      'EventbridgeRole',
      'CloudtrailFilesRole',
      'CloudwatchLogsRole',
      'ScheduledDetectRole',
    ]) {
      const own = statements(id);
      expect(own).toContainEqual({
        action: 'ssm:GetParameter',
        resource: {
          'Fn::Sub':
            'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/tokentrail/slack-webhook',
        },
        condition: 'HasWebhookParameter',
      });
      if (id !== 'CloudtrailFilesRole') {
        const reads = own.filter(({ action }) => /^(s3|sqs:ReceiveMessage)/.test([action].flat().join()));
        expect({ id, reads }).toEqual({ id, reads: [] });
      }
      for (const { action, condition } of own.filter(({ action }) => action === 'kms:Decrypt')) {
        expect({ id, action, condition }).toEqual({
          id,
          action,
          condition:
            id === 'CloudtrailFilesRole'
              ? expect.stringMatching(/^Has(Trail|Webhook)KmsKey$/)
              : 'HasWebhookKmsKey',
        });
      }
    }
  });

  it('configures every function from parameters: BigQuery, the policy, webhook references, the WIF credentials', () => {
    const environment =
      configured.template.Resources.EventbridgeLambdaFunction.Properties.Environment.Variables;
    expect(environment).toEqual({
      TOKENTRAIL_STORE: 'bigquery://acme-audit/tokentrail',
      TOKENTRAIL_POLICY: expect.stringMatching(/^\.tokentrail\/packaged\/policy-[0-9a-f]{12}\.json$/),
      TOKENTRAIL_WEBHOOKS: 'slack=ssm:/tokentrail/slack-webhook',
      TOKENTRAIL_LOOKBACK: '2h',
      GOOGLE_APPLICATION_CREDENTIALS: PARAMS.gcpCredentialsFile,
    });
    const names = configured.zip.map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining([PARAMS.gcpCredentialsFile, environment.TOKENTRAIL_POLICY]));
    expect(names).not.toContain(PARAMS.policyFile);
    // The policy ships checked and compiled: the functions read JSON, never the YAML parser.
    const policy = JSON.parse(
      configured.zip.find((entry) => entry.name === environment.TOKENTRAIL_POLICY)!.text(),
    );
    expect(policy).toMatchObject({ format: 'tokentrail-policy/1', source: 'policy.example.yaml' });
    expect(policy.policy.expect.length).toBeGreaterThan(0);
    const credentials = JSON.parse(
      configured.zip.find((entry) => entry.name === PARAMS.gcpCredentialsFile)!.text(),
    );
    expect(credentials).toMatchObject({
      type: 'external_account',
      credential_source: { environment_id: 'aws1' },
    });
    expect(JSON.stringify(credentials)).not.toMatch(/private_key|client_secret/);
  });

  it('packages the published IP ranges ranges update wrote, where deployedIpRanges reads them', () => {
    const shipped = (zip: ZipEntry[]) => zip.filter((entry) => entry.name.startsWith('.tokentrail/ranges/'));
    const packaged = shipped(configured.zip).find(
      (entry) => entry.name === '.tokentrail/ranges/github-meta.json',
    );
    expect(packaged?.text()).toBe(ownRanges ? readFileSync(RANGES_FILE, 'utf8') : SAMPLE_RANGES);
    expect(shipped(configured.zip).filter((entry) => !entry.name.endsWith('.json'))).toEqual([]);
    // Without them the package is built all the same.
    if (!ownRanges) expect(shipped(defaults.zip)).toEqual([]);
  });

  it('packages ES module bundles with lazy chunks, and neither node_modules nor DuckDB', () => {
    const names = defaults.zip.map((entry) => entry.name);
    for (const handler of Object.values(HANDLERS)) {
      expect(names).toContain(handler.replace(/\.handler$/, '.js'));
    }
    expect(
      JSON.parse(defaults.zip.find((entry) => entry.name === 'functions/aws/package.json')!.text()),
    ).toMatchObject({
      type: 'module',
    });
    expect(names.filter((name) => /node_modules|\.node$|duckdb\.node|^docs\//.test(name))).toEqual([]);
    // Of the fixtures, only the credential config the parameter names.
    expect(names.filter((name) => /gcp-wif|fixtures\//.test(name))).toEqual([CREDENTIALS_FIXTURE]);
    const text = (name: string) => defaults.zip.find((entry) => entry.name === name)!.text();
    const bundled = (marker: string) =>
      defaults.zip.filter((entry) => entry.text().includes(marker)).map((entry) => entry.name);
    // google-auth-library and the BigQuery client load on first use, from their own chunks
    // (esbuild names each bundled package in a comment). The S3 reader signs its one GetObject
    // itself: the S3 client is in no bundle.
    for (const handler of Object.values(HANDLERS)) {
      const entry = text(handler.replace(/\.handler$/, '.js'));
      expect({ handler, inEntry: entry.includes('// node_modules/google-auth-library/') }).toEqual({
        handler,
        inEntry: false,
      });
    }
    const bigQueryClient = bundled('// node_modules/@google-cloud/bigquery/');
    expect(bigQueryClient.length).toBeGreaterThan(0);
    expect(
      bigQueryClient.filter(
        (name) =>
          /bigquery-store-/.test(name) ||
          Object.values(HANDLERS).some((handler) => handler.replace(/\.handler$/, '.js') === name),
      ),
    ).toEqual([]);
    const googleAuth = bundled('// node_modules/google-auth-library/');
    expect(googleAuth.length).toBeGreaterThan(0);
    expect(googleAuth.filter((name) => /bigquery-store-/.test(name))).toEqual([]);
    // The CEL evaluator loads only for a delivery that holds a GCP attribute condition, the address
    // parser only for one a network rule reads.
    for (const lazy of ['// node_modules/@marcbachmann/cel-js/', '// node_modules/ipaddr.js/']) {
      const chunks = bundled(lazy);
      expect({ lazy, bundled: chunks.length > 0 }).toEqual({ lazy, bundled: true });
      expect({
        lazy,
        inEntry: chunks.filter((name) =>
          Object.values(HANDLERS).some((handler) => handler.replace(/\.handler$/, '.js') === name),
        ),
      }).toEqual({ lazy, inEntry: [] });
    }
    expect(bundled('// node_modules/@aws-sdk/client-s3/')).toEqual([]);
    expect(bundled('// node_modules/@smithy/signature-v4/').length).toBeGreaterThan(0);
    expect(text('functions/aws/eventbridge.js')).toMatch(
      /import\(["']\.\/bigquery-store-[A-Z0-9]+\.js["']\)/,
    );
    // DuckDB stays an import of the external package, never bundled.
    expect(bundled('from "@duckdb/node-api"').length).toBeGreaterThan(0);
    expect(bundled('// node_modules/@duckdb/')).toEqual([]);
    expect(defaults.zip.reduce((total, entry) => total + entry.size, 0)).toBeLessThan(20 * 1024 * 1024);
  });

  describe('refuses to package without a workload identity federation config, naming the command that creates it', () => {
    /** One `serverless package` run, killed past SERVERLESS_RUN_TIMEOUT; its output as one text. */
    async function refused(args: string[]) {
      const run = await runServerless(['package', '--package', join(directory, 'refused'), ...args]);
      expect({ code: run.code, packaged: existsSync(join(directory, 'refused')) }).toEqual({
        code: 1,
        packaged: false,
      });
      return `${run.stdout}${run.stderr}`;
    }

    /** A file in the repository (the package holds nothing from outside it), removed afterwards. */
    async function refusedFile(name: string, text: string) {
      const file = join(ROOT, '.tokentrail', 'packaged', `${name}-${process.pid}.json`);
      mkdirSync(join(ROOT, '.tokentrail', 'packaged'), { recursive: true });
      writeFileSync(file, text);
      try {
        const relativeName = file
          .slice(ROOT.length + 1)
          .split('\\')
          .join('/');
        return { file: relativeName, output: await refused([`--param=gcpCredentialsFile=${relativeName}`]) };
      } finally {
        rmSync(file, { force: true });
      }
    }

    it('with no parameters: gcp-wif-credentials.json does not exist', async () => {
      // A checkout that holds its own (git-ignored) config names a missing one instead.
      const own = existsSync(join(ROOT, 'gcp-wif-credentials.json'));
      const file = own ? `missing-${process.pid}.json` : 'gcp-wif-credentials.json';
      const output = await refused(own ? [`--param=gcpCredentialsFile=${file}`] : []);
      expect(output).toContain(`gcpCredentialsFile ${file}: no such file.`);
      expect(output).toContain(
        `no static keys); create it, after terraform apply in infra/gcp, with: ${CREATE_CREDENTIALS(file)}\n`,
      );
      // Once, though the package patterns name it too.
      expect(output.split(`gcpCredentialsFile ${file}`)).toHaveLength(2);
    }, 150_000);

    it('a service account key file', async () => {
      const key = {
        type: 'service_account',
        project_id: 'acme-audit',
        private_key_id: '0123456789abcdef',
        // Assembled here, so the repository's own scan for key material finds none in this file.
        private_key: `-----BEGIN ${'PRIVATE'} KEY-----\nnot-a-key\n-----END ${'PRIVATE'} KEY-----\n`,
        client_email: 'writer@acme-audit.iam.gserviceaccount.com',
      };
      const { file, output } = await refusedFile('service-account-key', JSON.stringify(key));
      expect(output).toContain(
        `gcpCredentialsFile ${file}: holds a static secret (private_key), which tokentrail refuses to package`,
      );
      expect(output).toContain(CREATE_CREDENTIALS(file));
      expect(output).not.toContain('not-a-key');
    }, 150_000);

    it('a file that is not JSON', async () => {
      const { file, output } = await refusedFile(
        'not-json',
        'type = "external_account"\nsecret = "not-a-key"\n',
      );
      expect(output).toContain(`gcpCredentialsFile ${file}: not JSON.`);
      expect(output).not.toContain('not-a-key');
      expect(output).toContain(CREATE_CREDENTIALS(file));
    }, 150_000);
  });

  // One osls run, killed past SERVERLESS_RUN_TIMEOUT.
  it('refuses to package a policy with a problem, naming its line and column', async () => {
    const policy = join(directory, 'broken-policy.yaml');
    writeFileSync(policy, 'expect:\n  - principal: "arn:aws:iam::111122223333:role/deploy"\n');
    const run = await runServerless(['print', `--param=policyFile=${policy}`]);
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(
      /policyFile \S*broken-policy\.yaml:2:5: expect\[0\] needs subjects/,
    );
  }, 150_000);
});
