import { cloudLoggingPages, entriesFilter } from '../../shared/adapters/backfill/cloud-logging-entries.js';
import { RequestPacer } from '../../shared/adapters/backfill/request-pacer.js';
import { LOG_ROUTER_FILTER } from '../../shared/core/queries/log-router-filter.js';
import { DEFAULT_LIMITS } from '../../shared/sources/limits.js';
import { type FakeCloudLogging, GOOGLE_ERROR, startFakeCloudLogging } from '../helpers/fake-cloud-logging.js';
import { fakePacing } from './backfill-cli.js';

const WINDOW = { since: '2025-11-18T00:00:00.000000Z', until: '2025-11-25T00:00:00.000000Z' };

let logging: FakeCloudLogging | undefined;

afterEach(async () => {
  await logging?.close();
  logging = undefined;
});

async function drain(pages: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _page of pages) count += 1;
  return count;
}

describe('cloudLoggingPages', () => {
  it("narrows the sink's filter to what is left of the window", () => {
    expect(entriesFilter(WINDOW, null)).toBe(
      `${LOG_ROUTER_FILTER} AND timestamp >= "2025-11-18T00:00:00.000000Z" AND timestamp <= "2025-11-25T00:00:00.000000Z"`,
    );
    expect(entriesFilter(WINDOW, '2025-11-20T01:02:03.456789Z')).toContain(
      'timestamp >= "2025-11-20T01:02:03.456789Z" AND timestamp <= "2025-11-25T00:00:00.000000Z"',
    );
  });

  it('sends the credentials it is given, on every page', async () => {
    logging = await startFakeCloudLogging([]);
    const clock = fakePacing();
    const pages = cloudLoggingPages({
      project: 'acme-wif-prod',
      endpoint: logging.url,
      authHeaders: async () => ({ authorization: 'Bearer fake-token' }),
      pacer: new RequestPacer(1, clock.pacing),
      limits: DEFAULT_LIMITS,
      sleep: clock.pacing.sleep,
    });
    expect(await drain(pages(WINDOW, null))).toBe(1);
    expect(logging.requests[0]!.headers).toMatchObject({
      authorization: 'Bearer fake-token',
      'content-type': 'application/json',
    });
  });

  it('fails at once, without retrying, when no access token can be had', async () => {
    logging = await startFakeCloudLogging([]);
    const clock = fakePacing();
    const pages = cloudLoggingPages({
      project: 'acme-wif-prod',
      endpoint: logging.url,
      authHeaders: async () => {
        throw new Error('invalid_grant: reauth related error');
      },
      pacer: new RequestPacer(1, clock.pacing),
      limits: DEFAULT_LIMITS,
      sleep: clock.pacing.sleep,
    });
    await expect(drain(pages(WINDOW, null))).rejects.toThrow(
      'could not get a Google access token: invalid_grant: reauth related error',
    );
    expect(logging.requests).toHaveLength(0);
  });

  it('retries an answer that is not JSON, then a 500, and reads on', async () => {
    let calls = 0;
    logging = await startFakeCloudLogging([], {
      script: () => {
        calls += 1;
        if (calls === 1) return { status: 200, body: Buffer.from('<html>proxy error</html>') };
        if (calls === 2) return GOOGLE_ERROR(500, 'internal');
        return undefined;
      },
    });
    const clock = fakePacing();
    const pages = cloudLoggingPages({
      project: 'acme-wif-prod',
      endpoint: logging.url,
      pacer: new RequestPacer(1, clock.pacing),
      limits: DEFAULT_LIMITS,
      sleep: clock.pacing.sleep,
      random: () => 0,
    });
    expect(await drain(pages(WINDOW, null))).toBe(1);
    expect(logging.requests).toHaveLength(3);
  });
});
