import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { handler as cloudWatchLogs } from '../../functions/aws/cloudwatch-logs.js';
import { handler as eventBridge } from '../../functions/aws/eventbridge.js';
import { handler as scheduledDetect } from '../../functions/aws/scheduled-detect.js';
import { type FakeChatServer, startFakeChatServer } from '../helpers/fake-chat-server.js';
import { fixture, POLICY, storeRows, useHandlerEnvironment } from './aws-handler-harness.js';

const SLACK_PATH = '/services/T0000/B0000/not-a-real-secret-token';
let chat: FakeChatServer;

beforeAll(async () => {
  chat = await startFakeChatServer();
});
afterAll(() => chat.close());

const env = useHandlerEnvironment(() => ({
  TOKENTRAIL_POLICY: POLICY,
  TOKENTRAIL_WEBHOOKS: 'slack=env:TOKENTRAIL_TEST_SLACK_URL',
  TOKENTRAIL_TEST_SLACK_URL: chat.url(SLACK_PATH),
}));

const requestContext = { awsRequestId: '8d1f5c2e-3a4b-4c6d-9e8f-0a1b2c3d4e5f' };

describe('EventBridge handler', () => {
  it('stores an AssumeRoleWithWebIdentity event and logs one JSON summary line', async () => {
    const event = fixture('eventbridge-assume-role-with-web-identity.json');
    const summary = await eventBridge(event);

    expect(summary).toMatchObject({
      trigger: 'eventbridge',
      input: `eventbridge:${event.id}`,
      outcome: 'ok',
      rows: 1,
      written: 1,
      quarantined: 0,
      alerts: 0,
    });
    expect(env.logs).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'invocation',
        service: 'tokentrail',
        correlation_id: event.id,
        ...summary,
      }),
    ]);
    expect(await storeRows('SELECT event_id, action, principal, subject, credential_id FROM events')).toEqual(
      [
        {
          event_id: event.detail.eventID,
          action: 'AssumeRoleWithWebIdentity',
          principal: 'arn:aws:iam::111122223333:role/github-deploy',
          subject: 'repo:acme/payments-api:ref:refs/heads/main',
          credential_id: 'ASIAEXAMPLEFNAWS0001',
        },
      ],
    );
  });

  it('stores a redelivered event once', async () => {
    const event = fixture('eventbridge-assume-role-with-web-identity.json');
    await eventBridge(event);
    const again = await eventBridge({ ...event, id: 'another-delivery-id' });
    expect(again).toMatchObject({ rows: 1, written: 0, duplicates: 1 });
    expect(await storeRows('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 1 }]);
  });

  it('quarantines a malformed event and succeeds (a retry would not fix it)', async () => {
    const event = fixture('eventbridge-assume-role-with-web-identity.json');
    delete event.detail.eventID;
    const summary = await eventBridge(event);
    expect(summary).toMatchObject({ rows: 0, quarantined: 1, rejected_by: { missing_id: 1 } });
    expect(await storeRows('SELECT input, code FROM quarantine')).toEqual([
      { input: `eventbridge:${event.id}`, code: 'missing_id' },
    ]);
  });

  it('alerts once on a subject the policy does not expect, and never logs the webhook URL', async () => {
    const requestsBefore = chat.requests.length;
    const event = fixture('eventbridge-fork-pull-request.json');
    const first = await eventBridge(event);
    expect(first).toMatchObject({ alerts: 1, alerts_delivered: 1, alerts_failed: 0 });
    expect(chat.requests.slice(requestsBefore).map((request) => request.path)).toEqual([SLACK_PATH]);
    expect(chat.requests.at(-1)?.body).toContain('repo:someone-else/payments-api:pull_request');

    await eventBridge({ ...event, id: 'redelivered' });
    expect(chat.requests.length).toBe(requestsBefore + 1);
    expect(JSON.stringify(env.logs)).not.toContain('not-a-real-secret-token');
  });

  it('throws when the store cannot be opened, so Lambda retries and then dead-letters', async () => {
    writeFileSync(env.store, 'this is not a DuckDB database');
    const event = fixture('eventbridge-assume-role-with-web-identity.json');
    await expect(eventBridge(event)).rejects.toThrow(/cannot open the DuckDB store/);
    expect(env.logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'invocation',
        trigger: 'eventbridge',
        outcome: 'failed',
      }),
    ]);
  });

  it('throws on a misconfiguration, naming it', async () => {
    process.env.TOKENTRAIL_WEBHOOKS = 'slack=https://hooks.slack.com/services/T/B/literal-url';
    const event = fixture('eventbridge-assume-role-with-web-identity.json');
    await expect(eventBridge(event)).rejects.toThrow(/secret reference/);
    expect(JSON.stringify(env.logs)).not.toContain('literal-url');
  });
});

describe('CloudWatch Logs handler', () => {
  it('has the encoded fixture hold exactly the readable one', () => {
    const encoded = fixture('cloudwatch-logs-subscription.json');
    const decoded = JSON.parse(gunzipSync(Buffer.from(encoded.awslogs.data, 'base64')).toString('utf8'));
    expect(decoded).toEqual(fixture('cloudwatch-logs-data-message.decoded.json'));
  });

  it('stores each CloudTrail record of a DATA_MESSAGE; the data event gets its subject through the mint', async () => {
    const summary = await cloudWatchLogs(fixture('cloudwatch-logs-subscription.json'), requestContext);
    expect(summary).toMatchObject({
      trigger: 'cloudwatch-logs',
      input: `cloudwatch-logs:${requestContext.awsRequestId}`,
      rows: 2,
      written: 2,
      quarantined: 0,
    });
    expect(
      await storeRows("SELECT bucket, object, subject FROM events_attributed WHERE action = 'GetObject'"),
    ).toEqual([
      {
        bucket: 'acme-prod-data',
        object: 'exports/2025-11-19/orders.parquet',
        subject: 'system:serviceaccount:data:etl-runner',
      },
    ]);
    expect(env.logs).toHaveLength(1);
  });

  it('skips a CONTROL_MESSAGE', async () => {
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [
        {
          id: '',
          timestamp: 1763636537000,
          message: 'CWL CONTROL MESSAGE: Checking health of destination Lambda.',
        },
      ],
    };
    const data = gzipSync(Buffer.from(JSON.stringify(control))).toString('base64');
    const summary = await cloudWatchLogs({ awslogs: { data } }, requestContext);
    expect(summary).toMatchObject({
      rows: 0,
      skipped: 1,
      skipped_by: { control_message: 1 },
      quarantined: 0,
    });
  });

  it('quarantines a payload that is not gzip, and one bad log event without losing the others', async () => {
    const bad = await cloudWatchLogs({ awslogs: { data: 'bm90IGd6aXA=' } }, requestContext);
    expect(bad).toMatchObject({ rows: 0, quarantined: 1 });

    const message = fixture('cloudwatch-logs-data-message.decoded.json');
    message.logEvents[0].message = message.logEvents[0].message.slice(0, 200);
    const data = gzipSync(Buffer.from(JSON.stringify(message))).toString('base64');
    const partial = await cloudWatchLogs({ awslogs: { data } }, requestContext);
    expect(partial).toMatchObject({ rows: 1, quarantined: 1 });
    expect(await storeRows('SELECT code FROM quarantine ORDER BY code')).toEqual([
      { code: 'decompression_failed' },
      { code: 'invalid_json' },
    ]);
  });
});

describe('scheduled detect handler', () => {
  it('runs the rules over the look-back window and resends an alert that failed to send', async () => {
    process.env.TOKENTRAIL_LOOKBACK = '36500d';
    chat.reply({ status: 400, body: 'invalid_payload' });
    const ingest = await eventBridge(fixture('eventbridge-fork-pull-request.json'));
    expect(ingest).toMatchObject({ alerts: 1, alerts_delivered: 0, alerts_failed: 1 });
    expect(await storeRows('SELECT status FROM alerts')).toEqual([{ status: 'failed' }]);

    const requestsBefore = chat.requests.length;
    const run = await scheduledDetect();
    expect(run).toMatchObject({ trigger: 'schedule', outcome: 'ok', alerts_failed: 0 });
    expect(run.alerts_delivered).toBeGreaterThanOrEqual(1);
    expect(Date.parse(run.until) - Date.parse(run.since)).toBe(36500 * 86_400_000);
    expect(chat.requests.length).toBeGreaterThan(requestsBefore);
    expect(await storeRows("SELECT count(*)::INTEGER AS n FROM alerts WHERE status = 'failed'")).toEqual([
      { n: 0 },
    ]);
    expect(env.logs.at(-1)).toMatchObject({ message: 'invocation', trigger: 'schedule', outcome: 'ok' });
  });

  it('throws when it cannot start, for the on-failure destination', async () => {
    writeFileSync(join(env.store), 'not a database');
    await expect(scheduledDetect()).rejects.toThrow(/DuckDB/);
  });
});
