import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import { parsePolicy } from '../../shared/adapters/policy/load-policy.js';
import { stableId } from '../../shared/adapters/store/stable-id.js';
import type { Alert } from '../../shared/core/alerts/alert.js';
import { ipRanges } from '../../shared/core/network/ip-ranges.js';
import type { AlertChannel } from '../../shared/pipeline/ports.js';
import { type DeliveryContext, processDelivery } from '../../shared/pipeline/process-delivery.js';
import { scheduledDetect } from '../../shared/pipeline/scheduled-detect.js';
import { decodeValue } from '../../shared/sources/decode-value.js';

const FIXTURES = join(__dirname, '../../shared/core/normalize/fixtures/aws-assume-role-with-web-identity');
const record = JSON.parse(readFileSync(join(FIXTURES, 'github-actions-success.json'), 'utf8')).record;
const ROLE = 'arn:aws:iam::111122223333:role/acme-api-deploy';
const FORK = 'repo:someone-else/api:pull_request';
const policy = parsePolicy(
  `expect:\n  - principal: "${ROLE}"\n    subjects: ["repo:acme/api:ref:refs/heads/main"]\n`,
  'policy.yaml',
);
const clock = { now: () => new Date('2025-04-16T03:00:00Z') };

/** An EventBridge delivery of the fixture's AssumeRoleWithWebIdentity, with another subject and id. */
function eventBridge(eventId: string, subject: string) {
  const principalId = `${record.userIdentity.identityProvider}:sts.amazonaws.com:${subject}`;
  return {
    version: '0',
    id: `eb-${eventId}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sts',
    account: '111122223333',
    time: record.eventTime,
    region: 'us-east-1',
    resources: [],
    detail: {
      ...record,
      eventID: eventId,
      userIdentity: { ...record.userIdentity, principalId, userName: subject },
      responseElements: { ...record.responseElements, subjectFromWebIdentityToken: subject },
    },
  };
}

function recordingChannel(answer: () => boolean = () => true) {
  const sent: { alert: Alert; previouslyDelivered: number }[] = [];
  const channel: AlertChannel = {
    name: 'test',
    send: async (alert, previouslyDelivered) => {
      sent.push({ alert, previouslyDelivered });
      return answer() ? { ok: true } : { ok: false, error: '500' };
    },
  };
  return { sent, channel };
}

let store: DuckDbStore;

beforeEach(async () => {
  store = await DuckDbStore.open(':memory:');
});

afterEach(() => store.close());

function contextWith(channel: AlertChannel, overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return { store, channels: [channel], policy, clock, idOf: stableId, ...overrides };
}

const deliver = (context: DeliveryContext, event: unknown, input = 'eventbridge') =>
  processDelivery(context, input, [decodeValue(event)]);

describe('processDelivery, as an ingest function runs it', () => {
  it('stores the delivery, alerts on an unexpected subject once, and a redelivery sends nothing', async () => {
    const { sent, channel } = recordingChannel();
    const first = await deliver(contextWith(channel), eventBridge('e-fork-1', FORK));
    expect(first.ingest).toMatchObject({ rows: 1, written: 1, quarantined: 0 });
    expect(first.alerts.map((alert) => [alert.rule, alert.subject])).toEqual([['unexpected-subject', FORK]]);
    expect(first.notified).toMatchObject({ delivered: 1, failed: 0, unconfirmed: 0 });

    const again = await deliver(contextWith(channel), eventBridge('e-fork-1', FORK));
    expect(again.ingest).toMatchObject({ written: 0, duplicates: 1 });
    expect(again.notified).toMatchObject({ delivered: 0, failed: 0, unconfirmed: 0 });
    expect(sent).toHaveLength(1);
  });

  it('adds a later delivery of the same incident to it and sends an update', async () => {
    const { sent, channel } = recordingChannel();
    await deliver(contextWith(channel), eventBridge('e-fork-1', FORK));
    await deliver(contextWith(channel), eventBridge('e-fork-2', FORK));
    expect(sent.map(({ alert, previouslyDelivered }) => [alert.count, previouslyDelivered])).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });

  it('stays quiet for an expected subject and quarantines what it cannot read', async () => {
    const { sent, channel } = recordingChannel();
    const result = await processDelivery(contextWith(channel), 'pubsub:1', [
      [
        ...decodeValue(eventBridge('e-main', 'repo:acme/api:ref:refs/heads/main')),
        ...decodeValue({ message: { data: 'bm90IGpzb24=', messageId: '1' }, subscription: 's' }),
      ],
    ]);
    expect(result.ingest).toMatchObject({ written: 1, quarantined: 1 });
    expect(result.alerts).toEqual([]);
    expect(sent).toEqual([]);
    const quarantine = await store.sql('SELECT input, code FROM quarantine');
    expect(quarantine.rows).toEqual([{ input: 'pubsub:1', code: expect.any(String) }]);
  });

  it('keeps an alert a channel refused as failed without failing the delivery', async () => {
    const { channel } = recordingChannel(() => false);
    const result = await deliver(contextWith(channel), eventBridge('e-fork-1', FORK));
    expect(result.notified).toMatchObject({ delivered: 0, failed: 1, unconfirmed: 0 });
    expect(await store.listAlerts('failed')).toHaveLength(1);
  });

  it('rejects when the store fails, so the trigger redelivers', async () => {
    const { channel } = recordingChannel();
    const broken: DuckDbStore = Object.create(store);
    broken.writeRows = async () => {
      throw new Error('503 backend unavailable');
    };
    await expect(deliver(contextWith(channel, { store: broken }), eventBridge('x', FORK))).rejects.toThrow(
      '503',
    );
  });
});

describe('scheduledDetect', () => {
  it('runs every rule over the look-back window and resends what an ingest function failed to deliver', async () => {
    let up = false;
    const { sent, channel } = recordingChannel(() => up);
    await deliver(contextWith(channel), eventBridge('e-fork-1', FORK));
    expect(await store.listAlerts('failed')).toHaveLength(1);

    up = true;
    const result = await scheduledDetect({ ...contextWith(channel), lookbackMs: 2 * 3_600_000 });
    expect(result.since).toBe('2025-04-16T01:00:00.000000Z');
    expect(result.alerts.map((alert) => alert.rule)).toContain('unexpected-subject');
    expect(result.notified).toMatchObject({ delivered: 1, failed: 0, unconfirmed: 0 });
    expect(sent).toHaveLength(2);
    expect(await store.listAlerts('delivered')).toHaveLength(1);
  });
});

describe('processDelivery and the published ranges', () => {
  const EKS_ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/5C8F2A9E1B7D4F6A3E0C9B8D7A6F5E4D';

  /** The fixture's exchange as an EKS pod's, from a given address. */
  function eksExchange(eventId: string, sourceIp: string) {
    const event = eventBridge(eventId, 'system:serviceaccount:payments:api-worker');
    const provider = `arn:aws:iam::111122223333:oidc-provider/${EKS_ISSUER}`;
    return {
      ...event,
      detail: {
        ...event.detail,
        sourceIPAddress: sourceIp,
        userIdentity: {
          ...event.detail.userIdentity,
          identityProvider: provider,
          principalId: `${provider}:sts.amazonaws.com:system:serviceaccount:payments:api-worker`,
        },
      },
    };
  }

  it('loads them only for a delivery holding an exchange the network rule judges, and alerts from outside AWS', async () => {
    const { channel } = recordingChannel();
    let loads = 0;
    const ranges = async () => {
      loads++;
      return ipRanges([{ prefix: '198.51.100.0/27', provider: 'aws', region: 'us-east-1', service: 'EC2' }]);
    };
    const github = await deliver(
      contextWith(channel, { ranges }),
      eventBridge('e-main-1', 'repo:acme/api:ref:refs/heads/main'),
    );
    expect(github.alerts).toEqual([]);
    expect(loads).toBe(0);

    const inside = await deliver(contextWith(channel, { ranges }), eksExchange('e-eks-1', '198.51.100.20'));
    expect(loads).toBe(1);
    expect(inside.alerts.map((alert) => alert.rule)).not.toContain('exchange-from-unexpected-network');

    const outside = await deliver(contextWith(channel, { ranges }), eksExchange('e-eks-2', '203.0.113.9'));
    expect(outside.alerts.map((alert) => alert.rule)).toContain('exchange-from-unexpected-network');
  });
});
