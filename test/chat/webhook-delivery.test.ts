import fc from 'fast-check';
import {
  type DeliveryOptions,
  deliver,
  ERROR_BODY_READ_BYTES,
  googleChatMessageId,
} from '../../shared/adapters/chat/webhook-delivery.js';
import {
  type ChatKind,
  parseWebhookFlag,
  redactUrl,
  withoutSecrets,
} from '../../shared/adapters/chat/webhook-url.js';
import { backoffDelayMs, retryAfterMs } from '../../shared/adapters/http/backoff.js';
import type { Alert } from '../../shared/core/alerts/alert.js';
import { renderGoogleChat } from '../../shared/core/alerts/render-google-chat.js';
import { renderSlack } from '../../shared/core/alerts/render-slack.js';
import { renderTeams } from '../../shared/core/alerts/render-teams.js';
import { type FakeChatServer, startFakeChatServer } from '../helpers/fake-chat-server.js';

const ALERT: Alert = {
  alert_id: 'inc-7f3a',
  rule: 'new-subject-for-role',
  severity: 'high',
  title: 'New subject <!channel> assumed role deploy',
  principal: 'arn:aws:iam::123456789012:role/deploy',
  subject: 'repo:acme/app:ref:refs/heads/main',
  identity_provider: 'token.actions.githubusercontent.com',
  audience: 'sts.amazonaws.com',
  resource: null,
  source_ip: '203.0.113.7',
  count: 3,
  first_seen: '2025-03-01T10:00:00.000000Z',
  last_seen: '2025-03-01T10:05:00.000000Z',
  event_ids: ['e1', 'e2', 'e3'],
  runbook: 'Check the workflow run.',
  query: 'tokentrail query principals --subject repo:acme/app:ref:refs/heads/main --since 30d',
};

/** Each service's URL shape, with the part that is the secret. */
const ENDPOINTS: Record<ChatKind, { path: string; secret: string; contentType: string; status: number }> = {
  slack: {
    path: '/services/T0001/B0001/s3cretSlackPath',
    secret: 's3cretSlackPath',
    contentType: 'application/json',
    status: 200,
  },
  googlechat: {
    path: '/v1/spaces/AAAA1234/messages?key=AIzaS3cretKey&token=s3cretToken%3D',
    secret: 's3cretToken',
    contentType: 'application/json; charset=UTF-8',
    status: 200,
  },
  teams: {
    path: '/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=2016-06-01&sv=1.0&sig=s3cretSig0000',
    secret: 's3cretSig0000',
    contentType: 'application/json',
    status: 202,
  },
};

const RENDER = { slack: renderSlack, googlechat: renderGoogleChat, teams: renderTeams } as const;
const KINDS = Object.keys(ENDPOINTS) as ChatKind[];

let server: FakeChatServer;
let sleeps: number[];
let options: DeliveryOptions;

beforeEach(async () => {
  server = await startFakeChatServer();
  sleeps = [];
  options = {
    retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 5000 },
    timeoutMs: 2000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  };
});

afterEach(async () => {
  await server.close();
});

const webhook = (kind: ChatKind) => ({ kind, url: server.url(ENDPOINTS[kind].path) });

describe.each(KINDS)('deliver to %s', (kind) => {
  const { contentType, status, secret } = ENDPOINTS[kind];

  it('posts the rendered payload as JSON, once', async () => {
    server.reply({ status, body: kind === 'googlechat' ? '{"name":"spaces/AAAA1234/messages/1"}' : '' });
    await expect(deliver(webhook(kind), ALERT, options)).resolves.toEqual({ ok: true, attempts: 1, status });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe(contentType);
    expect(request!.body).toBe(JSON.stringify(RENDER[kind](ALERT)));
  });

  it('posts a repeat as the follow-up payload', async () => {
    await deliver(webhook(kind), ALERT, { ...options, repeat: true, previousCount: 1 });
    expect(JSON.parse(server.requests[0]!.body)).toEqual(
      RENDER[kind](ALERT, { repeat: true, previousCount: 1 }),
    );
  });

  it('retries a 500 storm, then reports the failure without the URL', async () => {
    server.reply(
      ...Array.from({ length: 4 }, () => ({ status: 500, body: `boom at ${ENDPOINTS[kind].path}` })),
    );
    const result = await deliver(webhook(kind), ALERT, options);
    expect(result).toEqual({
      ok: false,
      attempts: 4,
      status: 500,
      error: expect.stringContaining('HTTP 500: boom at'),
    });
    expect(result.error).toMatch(/^http:\/\/127\.0\.0\.1:\d+: /);
    expect(result.error).toContain('(gave up after 4 attempts)');
    expect(result.error).not.toContain(secret);
    expect(server.requests).toHaveLength(4);
    // Exponential backoff, half fixed and half jitter (random() is 0.5 here).
    expect(sleeps).toEqual([75, 150, 300]);
  });
});

describe('deliver', () => {
  it('adds the thread reply option to a Google Chat URL and keeps its key and token', async () => {
    await deliver(webhook('googlechat'), ALERT, options);
    const [request] = server.requests;
    expect(request!.path).toBe('/v1/spaces/AAAA1234/messages');
    expect(request!.url).toContain('key=AIzaS3cretKey&token=s3cretToken%3D&');
    expect(request!.query).toEqual({
      key: 'AIzaS3cretKey',
      token: 's3cretToken=',
      messageReplyOption: 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD',
      messageId: googleChatMessageId(ALERT),
    });
    expect(request!.query.messageId).toMatch(/^client-[a-z0-9-]{1,56}$/);
    expect(JSON.parse(request!.body).thread).toEqual({ threadKey: 'inc-7f3a' });
  });

  it('waits as long as Retry-After (seconds) says after a 429, then delivers', async () => {
    server.reply(
      { status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } },
      { status: 200, body: 'ok' },
    );
    await expect(deliver(webhook('slack'), ALERT, options)).resolves.toEqual({
      ok: true,
      attempts: 2,
      status: 200,
    });
    expect(sleeps).toEqual([2000]);
    expect(server.requests.map((request) => request.body)).toEqual([
      server.requests[0]!.body,
      server.requests[0]!.body,
    ]);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const now = Date.parse('2025-03-01T10:00:00Z');
    server.reply({ status: 503, headers: { 'retry-after': 'Sat, 01 Mar 2025 10:00:03 GMT' } });
    const result = await deliver(webhook('teams'), ALERT, { ...options, now: () => now });
    expect(result).toEqual({ ok: true, attempts: 2, status: 200 });
    expect(sleeps).toEqual([3000]);
  });

  it('stops and says when to try again if Retry-After is longer than it waits', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '120' } });
    const result = await deliver(webhook('slack'), ALERT, options);
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 429, retryAfterMs: 120_000 });
    expect(result.error).toContain('asked to wait 120 s');
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('fails a 400 at once, quoting the service but not the URL', async () => {
    server.reply({ status: 400, body: `invalid_payload for ${ENDPOINTS.slack.path}` });
    const result = await deliver(webhook('slack'), ALERT, options);
    expect(result).toEqual({
      ok: false,
      attempts: 1,
      status: 400,
      error: expect.stringContaining('invalid_payload'),
    });
    expect(result.error).not.toContain(ENDPOINTS.slack.secret);
    expect(server.requests).toHaveLength(1);
  });

  it('does not follow a redirect to another place', async () => {
    server.reply({ status: 302, headers: { location: server.url('/elsewhere') } });
    const result = await deliver(webhook('teams'), ALERT, options);
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 302 });
    expect(server.requests.map((request) => request.path)).toEqual([expect.stringMatching(/^\/workflows\//)]);
  });

  it('gives a hung Google Chat up after the timeout and retries it under the same message id', async () => {
    server.reply({ status: 500, delayMs: 60_000 }, { status: 500, delayMs: 60_000 });
    const result = await deliver(webhook('googlechat'), ALERT, {
      ...options,
      timeoutMs: 50,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 100 },
    });
    expect(result).toEqual({
      ok: false,
      attempts: 2,
      error: expect.stringContaining('no answer within 50 ms (gave up after 2 attempts)'),
    });
    expect(result.error).not.toContain(ENDPOINTS.googlechat.secret);
    expect(server.requests.map((request) => request.query.messageId)).toEqual([
      googleChatMessageId(ALERT),
      googleChatMessageId(ALERT),
    ]);
  });

  it('takes 409 ALREADY_EXISTS after a lost answer from Google Chat as delivered, and it posted once', async () => {
    // Dropped rather than slow, so the repeat's prompt 409 never races a short timeout.
    server.reply({ status: 200, hangUp: true });
    await expect(deliver(webhook('googlechat'), ALERT, options)).resolves.toEqual({
      ok: true,
      attempts: 2,
      status: 409,
    });
    expect(server.requests).toHaveLength(2);
    expect(server.landed).toHaveLength(1);
  });

  it('posts to a Google Chat webhook that refuses the message id without it, once', async () => {
    server.reply({ status: 400, body: '{"error":{"code":400,"message":"Invalid messageId"}}' });
    await expect(deliver(webhook('googlechat'), ALERT, options)).resolves.toEqual({
      ok: true,
      attempts: 2,
      status: 200,
    });
    expect(server.requests.map((request) => request.query.messageId)).toEqual([
      googleChatMessageId(ALERT),
      undefined,
    ]);
    expect(server.landed).toHaveLength(1);
  });

  it.each(['slack', 'teams'] as const)(
    'does not resend to %s a post that may have landed and whose answer never came',
    async (kind) => {
      server.reply({ status: 200, delayMs: 60_000 });
      const result = await deliver(webhook(kind), ALERT, { ...options, timeoutMs: 50 });
      expect(result).toEqual({
        ok: false,
        unconfirmed: true,
        attempts: 1,
        error: expect.stringContaining('no answer within 50 ms, and the message may have been sent'),
      });
      expect(server.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    },
  );

  it('reads at most 16 KiB of an error answer, however long it is', async () => {
    const huge = 50 * 1024 * 1024;
    server.reply({ status: 400, bodyBytes: huge });
    const result = await deliver(webhook('slack'), ALERT, options);
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 400 });
    expect(result.error).toMatch(/HTTP 400: x{200}$/);
    // What the loopback connection buffers before the client hangs up, not the 50 MB.
    expect(ERROR_BODY_READ_BYTES).toBe(16 * 1024);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.bodyBytesWritten()).toBeLessThan(huge / 4);
  });

  it('retries a refused connection and reports it by code', async () => {
    const gone = webhook('slack');
    await server.close();
    server = await startFakeChatServer();
    const result = await deliver(gone, ALERT, {
      ...options,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    expect(result).toEqual({
      ok: false,
      attempts: 2,
      error: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+: network error \(ECONNREFUSED\)/),
    });
    expect(result.error).not.toContain(ENDPOINTS.slack.secret);
  });
  it('refuses a URL it cannot parse without trying or quoting it', async () => {
    const result = await deliver({ kind: 'teams', url: 'not a url ?sig=s3cretSig' }, ALERT, options);
    expect(result).toEqual({ ok: false, attempts: 0, error: 'the teams webhook URL is not a valid URL' });
  });
});

describe('parseWebhookFlag', () => {
  it.each([
    ['slack=https://hooks.slack.com/services/T/B/x', 'slack'],
    ['googlechat=https://chat.googleapis.com/v1/spaces/S/messages?key=k&token=t', 'googlechat'],
    ['google-chat=https://chat.googleapis.com/v1/spaces/S/messages?key=k&token=t', 'googlechat'],
    [
      'teams=https://prod-1.westeurope.logic.azure.com/workflows/w/triggers/manual/paths/invoke?sig=s',
      'teams',
    ],
    ['slack=http://127.0.0.1:9080/slack', 'slack'],
  ])('reads %s', (flag, kind) => {
    expect(parseWebhookFlag(flag)).toEqual({ kind, url: flag.slice(flag.indexOf('=') + 1) });
  });

  it.each([
    [
      'https://hooks.slack.com/services/T/B/s3cretPath',
      /KIND=URL with KIND one of slack, googlechat, teams$/,
    ],
    [
      'slak=https://hooks.slack.com/services/T/B/s3cretPath',
      /one of slack, googlechat, teams \(got "slak"\)$/,
    ],
    ['slack=not a url s3cretPath', /^the slack webhook URL is not a valid URL$/],
    ['teams=http://evil.example/s3cretPath?sig=s3cretSig', /must use https, not http:\/\/evil\.example$/],
  ])('rejects %s without echoing its secret', (flag, message) => {
    expect(() => parseWebhookFlag(flag)).toThrow(message);
    try {
      parseWebhookFlag(flag);
    } catch (error) {
      expect(String(error)).not.toContain('s3cret');
    }
  });
});

describe('secrets in messages', () => {
  it('redacts a URL to its scheme and host', () => {
    expect(redactUrl('https://hooks.slack.com/services/T/B/secret')).toBe('https://hooks.slack.com');
    expect(redactUrl('https://chat.googleapis.com:443/v1/x?key=a&token=b')).toBe(
      'https://chat.googleapis.com',
    );
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });

  it('removes the path and query values from text that quotes them', () => {
    const url = 'https://chat.googleapis.com/v1/spaces/AAAA1234/messages?key=AIzaKey123&token=tok%3Den';
    const text = `bad request to ${url}; token tok=en; path /v1/spaces/AAAA1234/messages`;
    const scrubbed = withoutSecrets(text, url);
    for (const secret of ['AIzaKey123', 'tok=en', 'tok%3Den', 'AAAA1234'])
      expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('bad request to');
  });
});

describe('backoff', () => {
  it.each([
    ['2', 2000],
    ['0', 0],
    ['1.5', 1500],
    ['Sat, 01 Mar 2025 10:00:30 GMT', 30_000],
    ['Sat, 01 Mar 2025 09:00:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    [null, undefined],
  ])('reads Retry-After %j as %j ms', (header, expected) => {
    expect(retryAfterMs(header, Date.parse('2025-03-01T10:00:00Z'))).toBe(expected);
  });

  it('waits between half and all of an exponential ceiling, never beyond the maximum', () => {
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 5000 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
          const wait = backoffDelayMs(attempt, policy, () => r);
          expect(wait).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(wait).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});
