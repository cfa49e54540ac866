import { join } from 'node:path';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import type { QueryResult } from '../../shared/core/queries/query-result.js';
import { type BuiltSource, buildSource, type RunningFunction, startFunction } from './function-server.js';
import { binary, messagePublished } from './gcp-events.js';

/**
 * Issue 11 item 5 through the real functions-framework: a huge rejected Pub/Sub body is kept as
 * its first 64 KiB with the length and SHA-256 of the whole, not stored whole.
 */
jest.setTimeout(30_000);

const HEAD_BYTES = 64 * 1024;

async function readStore(path: string, sql: string): Promise<QueryResult['rows']> {
  const store = await DuckDbStore.open(path);
  try {
    return (await store.sql(sql)).rows;
  } finally {
    await store.close();
  }
}

let built: BuiltSource;
let server: RunningFunction | undefined;

beforeAll(async () => {
  built = await buildSource();
});

afterEach(() => server?.stop());

afterAll(() => built?.remove());

describe('ingestPubSub given a 3 MB message that is not JSON', () => {
  it('acknowledges it and quarantines its head with the byte length and SHA-256 of the whole', async () => {
    const store = join(built.directory, 'huge.duckdb');
    server = await startFunction({
      source: built.source,
      target: 'ingestPubSub',
      signatureType: 'cloudevent',
      env: { TOKENTRAIL_STORE: store },
    });
    const text = 'not a log entry: '.repeat(180_000);
    const data = Buffer.from(text).toString('base64');
    const answer = await server.send(binary(messagePublished('9001', data, new Date().toISOString())));
    expect(answer.status).toBe(204);
    await server.stop();
    server = undefined;

    const rows = await readStore(
      store,
      'SELECT input, code, raw, raw_bytes, raw_sha256, raw_truncated FROM quarantine',
    );
    expect(rows).toEqual([
      {
        input: 'pubsub:9001',
        code: 'invalid_json',
        raw: expect.any(String),
        raw_bytes: expect.any(Number),
        raw_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        raw_truncated: true,
      },
    ]);
    const { raw, raw_bytes } = rows[0] as { raw: string; raw_bytes: number };
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(HEAD_BYTES);
    expect(Buffer.byteLength(raw)).toBeGreaterThan(HEAD_BYTES - 4);
    expect(raw).toContain(data.slice(0, 1_000));
    expect(raw_bytes).toBeGreaterThan(data.length);
  });
});
