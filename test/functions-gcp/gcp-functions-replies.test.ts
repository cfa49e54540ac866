import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import type { QueryResult } from '../../shared/core/queries/query-result.js';
import { MESSAGE_PUBLISHED } from '../helpers/envelopes.js';
import { type BuiltSource, buildSource, type RunningFunction, startFunction } from './function-server.js';
import { exchangeTokenEntry, type HttpDelivery, PROJECT, sinkMessage, structured } from './gcp-events.js';

/**
 * What the ingest functions answer, through the real functions-framework server, when the body is
 * not something the framework can hand over (not JSON, empty) and when the store is unreachable:
 * unreadable deliveries are quarantined and acknowledged (a retry cannot fix them), and a 5xx reply
 * says nothing of the function's internals.
 */
jest.setTimeout(30_000);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function readStore(path: string, sql: string): Promise<QueryResult['rows']> {
  const store = await DuckDbStore.open(path);
  try {
    return (await store.sql(sql)).rows;
  } finally {
    await store.close();
  }
}

/** Binary content mode of a messagePublished event, as Eventarc's Pub/Sub trigger sends it. */
function binaryHeaders(id: string, contentType: string | null): Record<string, string> {
  return {
    ...(contentType === null ? {} : { 'content-type': contentType }),
    'ce-specversion': '1.0',
    'ce-type': MESSAGE_PUBLISHED,
    'ce-source': `//pubsub.googleapis.com/projects/${PROJECT}/topics/tokentrail-audit`,
    'ce-id': id,
  };
}

let built: BuiltSource;

beforeAll(async () => {
  built = await buildSource();
}, 60_000);

afterAll(() => built?.remove());

const env = (store: string) => ({ TOKENTRAIL_STORE: join(built.directory, store) });

describe('ingestPubSub given a body the framework cannot hand over', () => {
  const store = 'unreadable.duckdb';
  const notJsonStructured = '{"specversion":"1.0","id":"9001","data":{"message":';
  const deliveries: Record<string, HttpDelivery> = {
    'structured, not JSON': {
      headers: { 'content-type': 'application/cloudevents+json' },
      body: notJsonStructured,
    },
    'binary, not JSON': { headers: binaryHeaders('9002', 'application/json'), body: 'hello, not json' },
    'binary, text': { headers: binaryHeaders('9003', 'text/plain'), body: 'hello as text' },
    'binary, empty': {
      headers: { ...binaryHeaders('9004', 'application/json'), 'content-length': '0' },
      body: '',
    },
    'structured, empty': {
      headers: { 'content-type': 'application/cloudevents+json', 'content-length': '0' },
      body: '',
    },
    'no content type, empty': { headers: { 'content-length': '0' }, body: '' },
  };
  let server: RunningFunction;
  const answers: Record<string, { status: number; body: string }> = {};

  beforeAll(async () => {
    server = await startFunction({
      source: built.source,
      target: 'ingestPubSub',
      signatureType: 'cloudevent',
      env: env(store),
    });
    try {
      for (const [name, delivery] of Object.entries(deliveries)) answers[name] = await server.send(delivery);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('acknowledges each with 204 (Pub/Sub would redeliver anything else until the dead-letter topic)', () => {
    expect(Object.fromEntries(Object.entries(answers).map(([name, { status }]) => [name, status]))).toEqual(
      Object.fromEntries(Object.keys(deliveries).map((name) => [name, 204])),
    );
  });

  it('quarantines each with its bytes, named by the CloudEvent id or else by the SHA-256 of the body, once', async () => {
    const rows = await readStore(
      join(built.directory, store),
      'SELECT input, delivery, code, message, raw FROM quarantine ORDER BY input, code',
    );
    const emptyInput = `http:sha256:${sha256('')}`;
    const expected = [
      { input: `http:sha256:${sha256(notJsonStructured)}`, code: 'invalid_json', raw: notJsonStructured },
      { input: 'pubsub:9002', code: 'invalid_json', raw: 'hello, not json' },
      { input: 'pubsub:9003', code: 'invalid_json', raw: 'hello as text' },
      { input: 'pubsub:9004', code: 'invalid_envelope', raw: '' },
      // Two empty bodies without an id are one delivery as far as anyone can tell: one row, as for a redelivery.
      { input: emptyInput, code: 'invalid_envelope', raw: '' },
    ];
    const sortedExpected = [...expected].sort((a, b) =>
      a.input === b.input ? a.code.localeCompare(b.code) : a.input < b.input ? -1 : 1,
    );
    expect(rows.map(({ input, code, raw }) => ({ input, code, raw }))).toEqual(sortedExpected);
    expect(new Set(rows.map((row) => row.delivery))).toEqual(new Set(['pubsub']));
    for (const row of rows) {
      expect(row.message).toMatch(
        row.code === 'invalid_json'
          ? /^the body is not JSON: /
          : /^empty body: the delivery carried nothing to store$/,
      );
    }
  });

  it('logs one structured line for each, naming the same input', () => {
    expect(server.logLines().map((line) => [line.severity, line.input, line.quarantined])).toEqual([
      ['WARNING', `http:sha256:${sha256(notJsonStructured)}`, 1],
      ['WARNING', 'pubsub:9002', 1],
      ['WARNING', 'pubsub:9003', 1],
      ['WARNING', 'pubsub:9004', 1],
      ['WARNING', `http:sha256:${sha256('')}`, 1],
      ['WARNING', `http:sha256:${sha256('')}`, 1],
    ]);
    // The framework's own HTML error page is gone, and so is its stack trace in the output.
    expect(server.output.join('\n')).not.toMatch(/SyntaxError|TypeError/);
  });
});

describe('ingestAuditLog given a body the framework cannot hand over', () => {
  it('quarantines it under eventarc:<ce-id> with delivery eventarc, and acknowledges it', async () => {
    const store = 'unreadable-eventarc.duckdb';
    const server = await startFunction({
      source: built.source,
      target: 'ingestAuditLog',
      signatureType: 'cloudevent',
      env: env(store),
    });
    let answer: { status: number; body: string };
    try {
      answer = await server.send({
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-type': 'google.cloud.audit.log.v1.written',
          'ce-source': `//cloudaudit.googleapis.com/projects/${PROJECT}/logs/data_access`,
          'ce-id': 'audit-9200',
        },
        body: '{"protoPayload": ',
      });
    } finally {
      await server.stop();
    }
    expect(answer.status).toBe(204);
    expect(
      await readStore(join(built.directory, store), 'SELECT input, delivery, code, raw FROM quarantine'),
    ).toEqual([
      { input: 'eventarc:audit-9200', delivery: 'eventarc', code: 'invalid_json', raw: '{"protoPayload": ' },
    ]);
    expect(server.logLines()).toEqual([
      expect.objectContaining({
        severity: 'WARNING',
        input: 'eventarc:audit-9200',
        type: 'google.cloud.audit.log.v1.written',
        quarantined: 1,
      }),
    ]);
  });
});

describe('a store the function cannot reach', () => {
  it('answers 500 with a generic message and an id; the log line carries the same id and the detail', async () => {
    const path = join(built.directory, 'held-replies.duckdb');
    const holder = await DuckDbStore.open(path); // another writer holds the file: DuckDB refuses a second
    const server = await startFunction({
      source: built.source,
      target: 'ingestPubSub',
      signatureType: 'cloudevent',
      env: env('held-replies.duckdb'),
    });
    let event: { status: number; body: string };
    let unreadable: { status: number; body: string };
    try {
      event = await server.send(
        structured(
          sinkMessage(
            '9100',
            exchangeTokenEntry(
              'sts-9100',
              'repo:example-org/web:ref:refs/heads/main',
              new Date().toISOString(),
            ),
          ),
        ),
      );
      unreadable = await server.send({ headers: binaryHeaders('9101', 'application/json'), body: 'nope' });
    } finally {
      await holder.close();
      await server.stop();
    }
    const lines = server.logLines();
    expect(lines.map((line) => [line.severity, line.input])).toEqual([
      ['ERROR', 'pubsub:9100'],
      ['ERROR', 'pubsub:9101'],
    ]);
    for (const [answer, line] of [
      [event, lines[0]!],
      [unreadable, lines[1]!],
    ] as const) {
      expect(answer.status).toBe(500);
      expect(answer.body).not.toContain(built.directory);
      expect(answer.body).not.toMatch(/duckdb|StoreError/i);
      expect(JSON.parse(answer.body)).toEqual({
        error: 'the delivery was not stored and will be delivered again; the function log says why',
        error_id: line.error_id,
      });
      expect(line.error_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(line.message).toContain(path);
    }
    expect(lines[0]!.error_id).not.toBe(lines[1]!.error_id);
  });
});
