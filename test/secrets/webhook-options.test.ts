import { channelsFrom } from '../../cli/webhook-options.js';
import { FAKE_AWS, type FakeSecretServer, startFakeSecretServer } from '../helpers/fake-secret-services.js';

let server: FakeSecretServer;

beforeEach(async () => {
  server = await startFakeSecretServer({
    ssm: {
      '/tokentrail/slack': 'https://hooks.slack.com/services/T000/B000/ssm-secret-token\n',
      '/tokentrail/plain-http': 'http://hooks.example.com/services/plain-secret-path',
      '/tokentrail/garbage': 'not a url garbage-secret-value',
    },
  });
});

afterEach(() => server.close());

const deps = () => ({ aws: { ...FAKE_AWS, endpoint: server.url } });

async function message(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

describe('channelsFrom with secret references', () => {
  it('keeps plain URLs as they were, with no lookups', async () => {
    const channels = await channelsFrom(
      { webhook: ['slack=https://hooks.slack.com/services/T/B/x'] },
      { env: {} },
    );
    expect(channels.map((channel) => channel.name)).toEqual(['slack https://hooks.slack.com']);
    expect(server.requests).toEqual([]);
  });

  it('resolves env: from the env argument, not process.env', async () => {
    process.env.TOKENTRAIL_TEST_ONLY_IN_PROCESS = 'https://process.example.com/x';
    try {
      const env = {
        TOKENTRAIL_WEBHOOKS: 'teams=env:TEAMS_HOOK',
        TEAMS_HOOK: 'https://teams.example.com/s?sig=x',
      };
      const channels = await channelsFrom({}, { env });
      expect(channels.map((channel) => channel.name)).toEqual(['teams https://teams.example.com']);
      expect(
        await message(channelsFrom({ webhook: ['slack=env:TOKENTRAIL_TEST_ONLY_IN_PROCESS'] }, { env: {} })),
      ).toBe('environment variable TOKENTRAIL_TEST_ONLY_IN_PROCESS is not set');
    } finally {
      delete process.env.TOKENTRAIL_TEST_ONLY_IN_PROCESS;
    }
  });

  it('resolves ssm: references (trimmed) into channels', async () => {
    const channels = await channelsFrom({ webhook: ['slack=ssm:/tokentrail/slack'] }, { env: {} }, deps());
    expect(channels.map((channel) => channel.name)).toEqual(['slack https://hooks.slack.com']);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      Name: '/tokentrail/slack',
      WithDecryption: true,
    });
  });

  it('names the reference but never the resolved value when it is not a usable URL', async () => {
    const http = await message(
      channelsFrom({ webhook: ['slack=ssm:/tokentrail/plain-http'] }, { env: {} }, deps()),
    );
    expect(http).toBe(
      'ssm:/tokentrail/plain-http: the slack webhook URL must use https, not http://hooks.example.com',
    );
    const garbage = await message(
      channelsFrom({ webhook: ['slack=ssm:/tokentrail/garbage'] }, { env: {} }, deps()),
    );
    expect(garbage).toBe('ssm:/tokentrail/garbage: the slack webhook URL is not a valid URL');
    expect(`${http} ${garbage}`).not.toMatch(/secret/);
  });

  it('rejects an unknown kind before reading any secret', async () => {
    const error = await message(
      channelsFrom({ webhook: ['irc=ssm:/tokentrail/slack'] }, { env: {} }, deps()),
    );
    expect(error).toMatch(/KIND one of slack, googlechat, teams/);
    expect(server.requests).toEqual([]);
  });
});
