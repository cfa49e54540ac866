import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGcpFunctions } from '../../functions/gcp/build.js';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import type { QueryResult } from '../../shared/core/queries/query-result.js';
import { eventarcId } from '../helpers/envelopes.js';
import { type BuiltSource, buildSource, type RunningFunction, startFunction } from './function-server.js';
import {
  auditLogWritten,
  binary,
  exchangeTokenEntry,
  generateAccessTokenEntry,
  messagePublished,
  objectsGetEntry,
  POOL_PRINCIPAL_PREFIX,
  PROJECT,
  sinkMessage,
  structured,
} from './gcp-events.js';

/**
 * The built Cloud Functions source under the real functions-framework binary: Pub/Sub and Eventarc
 * deliveries in both CloudEvent content modes end up as rows in the store, malformed ones in the
 * quarantine (acknowledged), and a store that cannot be opened answers 5xx so the platform retries.
 */

// Only main-branch workflows of example-org may become the pool's principals: a pull request is unexpected.
const POLICY = `expect:
  - principal: "${POOL_PRINCIPAL_PREFIX}*"
    subjects: ["repo:example-org/*:ref:refs/heads/main"]
`;

/** Recent event times, so the scheduled run's default two-hour window covers them. */
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

async function readStore(path: string, sql: string): Promise<QueryResult['rows']> {
  const store = await DuckDbStore.open(path);
  try {
    return (await store.sql(sql)).rows;
  } finally {
    await store.close();
  }
}

let built: BuiltSource;

beforeAll(async () => {
  built = await buildSource(POLICY);
});

afterAll(() => built?.remove());

/** As deployed: the store named by the environment, the policy shipped in the source (the working directory). */
function env(store: string): Record<string, string> {
  return { TOKENTRAIL_STORE: join(built.directory, store), TOKENTRAIL_POLICY: 'policy.json' };
}

describe('the built source', () => {
  it('is an ES module entry with lazy chunks, a package.json naming it, a lockfile for the framework alone, the policy', () => {
    expect(built.build.files).toEqual(
      expect.arrayContaining([
        'index.js',
        'index.js.map',
        'package.json',
        'package-lock.json',
        'policy.json',
      ]),
    );
    expect(built.build.warnings).toEqual([]);
    const uploadPackage = require(join(built.source, 'package.json'));
    expect(uploadPackage).toMatchObject({
      main: 'index.js',
      dependencies: { '@google-cloud/functions-framework': '5.0.5' },
    });
    expect(uploadPackage.type).toBe('module');
    const lock = require(join(built.source, 'package-lock.json'));
    expect(lock.packages['node_modules/@google-cloud/functions-framework'].version).toBe('5.0.5');
    expect(Object.keys(lock.packages)).not.toContain('node_modules/@google-cloud/bigquery');
    // The policy ships checked and compiled: the functions read JSON, never the YAML parser.
    expect(JSON.parse(readFileSync(join(built.source, 'policy.json'), 'utf8'))).toMatchObject({
      format: 'tokentrail-policy/1',
      policy: { expect: [expect.objectContaining({ principal: expect.any(String) })] },
    });
  });

  it('is not built when the policy has a problem, which it names by line and column', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tokentrail-gcp-bad-policy-'));
    try {
      const policy = join(directory, 'policy.yaml');
      writeFileSync(policy, 'expect:\n  - principal: "arn:aws:iam::111122223333:role/deploy"\n');
      await expect(
        buildGcpFunctions({ root: join(__dirname, '../..'), outdir: join(directory, 'out'), policy }),
      ).rejects.toThrow(/policy\.yaml:2:5: expect\[0\] needs subjects/);
      expect(existsSync(join(directory, 'out'))).toBe(false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('ingestPubSub (Log Router sink → Pub/Sub → messagePublished CloudEvent)', () => {
  const exchange = exchangeTokenEntry('sts-0001', 'repo:example-org/payments:pull_request', minutesAgo(10));
  const objectRead = objectsGetEntry('gcs-0001', minutesAgo(9));
  const store = 'pubsub.duckdb';
  let server: RunningFunction;
  const answers: Record<string, number> = {};

  beforeAll(async () => {
    server = await startFunction({
      source: built.source,
      target: 'ingestPubSub',
      signatureType: 'cloudevent',
      env: env(store),
    });
    const send = async (name: string, delivery: Parameters<RunningFunction['send']>[0]) => {
      answers[name] = (await server.send(delivery)).status;
    };
    await send('structured exchange', structured(sinkMessage('7001', exchange)));
    await send('binary object read', binary(sinkMessage('7002', objectRead)));
    await send('redelivered exchange', structured(sinkMessage('7001', exchange)));
    await send('data not base64', structured(messagePublished('7003', '{"insertId": "x"}', minutesAgo(1))));
    await send(
      'base64 of text',
      binary(
        messagePublished(
          '7004',
          Buffer.from('hello from a test publisher\n').toString('base64'),
          minutesAgo(1),
        ),
      ),
    );
    await server.stop();
  });

  it('acknowledges every delivery, malformed ones included (2xx: never retried)', () => {
    expect(answers).toEqual({
      'structured exchange': 204,
      'binary object read': 204,
      'redelivered exchange': 204,
      'data not base64': 204,
      'base64 of text': 204,
    });
  });

  it('stores one row per event, whichever content mode carried it and however often', async () => {
    const rows = await readStore(
      join(built.directory, store),
      'SELECT event_id, action, category, principal, subject, bucket FROM events ORDER BY event_time',
    );
    expect(rows).toEqual([
      {
        event_id: eventarcId(exchange),
        action: 'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
        category: 'token_exchange',
        principal: `${POOL_PRINCIPAL_PREFIX}repo:example-org/payments:pull_request`,
        subject: 'repo:example-org/payments:pull_request',
        bucket: null,
      },
      {
        event_id: eventarcId(objectRead),
        action: 'storage.objects.get',
        category: 'data_access',
        principal: `reports-reader@${PROJECT}.iam.gserviceaccount.com`,
        subject: 'repo:example-org/reports:ref:refs/heads/main',
        bucket: 'example-reports',
      },
    ]);
  });

  it('quarantines malformed messages with their bytes, named by message id', async () => {
    const rows = await readStore(
      join(built.directory, store),
      'SELECT input, delivery, code, raw FROM quarantine ORDER BY input',
    );
    expect(rows.map(({ raw: _raw, ...rest }) => rest)).toEqual([
      { input: 'pubsub:7003', delivery: 'pubsub', code: 'invalid_encoding' },
      { input: 'pubsub:7004', delivery: 'pubsub', code: 'invalid_json' },
    ]);
    expect(String(rows[0]!.raw)).toContain('{\\"insertId\\": \\"x\\"}');
    expect(String(rows[1]!.raw)).toContain(Buffer.from('hello from a test publisher\n').toString('base64'));
  });

  it('runs the per-event rules and records their alert', async () => {
    const rows = await readStore(join(built.directory, store), 'SELECT rule, principal FROM alerts');
    expect(rows).toEqual([
      {
        rule: 'unexpected-subject',
        principal: `${POOL_PRINCIPAL_PREFIX}repo:example-org/payments:pull_request`,
      },
    ]);
  });

  it('logs one structured line per delivery', () => {
    const lines = server.logLines();
    expect(
      lines.map((line) => [line.severity, line.input, line.written, line.duplicates, line.quarantined]),
    ).toEqual([
      ['INFO', 'pubsub:7001', 1, 0, 0],
      ['INFO', 'pubsub:7002', 1, 0, 0],
      ['INFO', 'pubsub:7001', 0, 1, 0],
      ['WARNING', 'pubsub:7003', 0, 0, 1],
      ['WARNING', 'pubsub:7004', 0, 0, 1],
    ]);
    expect(lines[0]).toMatchObject({
      message: 'pubsub:7001: 1 written, 0 duplicates, 0 skipped, 0 quarantined, 1 alerts',
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      alerts: 1,
    });
  });

  it('scheduledDetect (HTTP, Cloud Scheduler) runs the detection over the same store: 200 and a summary', async () => {
    const scheduler = await startFunction({
      source: built.source,
      target: 'scheduledDetect',
      signatureType: 'http',
      env: env(store),
    });
    try {
      const refused = await scheduler.send({ headers: {}, body: '' }, 'GET');
      const answer = await scheduler.send({ headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(405);
      expect(answer.status).toBe(200);
      const summary = JSON.parse(answer.body);
      expect(summary).toEqual({
        since: expect.any(String),
        until: expect.any(String),
        alerts: 1,
        delivered: 0,
        failed: 0,
        unconfirmed: 0,
      });
      expect(Date.parse(summary.until) - Date.parse(summary.since)).toBe(2 * 3_600_000);
      expect(scheduler.logLines()).toEqual([
        expect.objectContaining({
          severity: 'INFO',
          message: expect.stringMatching(/: 1 alerts, 0 delivered/),
        }),
      ]);
    } finally {
      await scheduler.stop();
    }
    // The scheduled run found the incident the ingest function had already recorded: still one alert.
    expect(await readStore(join(built.directory, store), 'SELECT rule FROM alerts')).toEqual([
      { rule: 'unexpected-subject' },
    ]);
  });
});

describe('ingestAuditLog (Eventarc google.cloud.audit.log.v1.written)', () => {
  const first = generateAccessTokenEntry('gat-0001', 'deployer', minutesAgo(8));
  const second = generateAccessTokenEntry('gat-0002', 'migrator', minutesAgo(7));
  const store = 'eventarc.duckdb';
  let server: RunningFunction;
  const answers: number[] = [];

  beforeAll(async () => {
    server = await startFunction({
      source: built.source,
      target: 'ingestAuditLog',
      signatureType: 'cloudevent',
      env: env(store),
    });
    const notAuditLog = {
      specversion: '1.0',
      type: 'google.cloud.storage.object.v1.finalized',
      source: `//storage.googleapis.com/projects/_/buckets/example-reports`,
      id: '1234567890',
      time: minutesAgo(1),
      datacontenttype: 'application/json',
      data: { bucket: 'example-reports', name: 'x.csv' },
    };
    for (const delivery of [
      structured(auditLogWritten(first)),
      binary(auditLogWritten(second)),
      binary(auditLogWritten(second)),
      structured(notAuditLog),
    ]) {
      answers.push((await server.send(delivery)).status);
    }
    await server.stop();
  });

  it('acknowledges each event', () => {
    expect(answers).toEqual([204, 204, 204, 204]);
  });

  it('stores the impersonations, from structured and binary events alike, once each', async () => {
    const rows = await readStore(
      join(built.directory, store),
      'SELECT event_id, action, category, principal, subject FROM events ORDER BY event_time',
    );
    expect(rows).toEqual(
      [first, second].map((entry, index) => ({
        event_id: eventarcId(entry),
        action: 'GenerateAccessToken',
        category: 'impersonation',
        principal: `${['deployer', 'migrator'][index]}@${PROJECT}.iam.gserviceaccount.com`,
        subject: 'repo:example-org/deploy:ref:refs/heads/main',
      })),
    );
  });

  it('names each delivery by its CloudEvent id, and skips events that are not audit logs', () => {
    expect(
      server.logLines().map((line) => [line.input, line.written, line.duplicates, line.skipped]),
    ).toEqual([
      [`eventarc:${eventarcId(first)}`, 1, 0, 0],
      [`eventarc:${eventarcId(second)}`, 1, 0, 0],
      [`eventarc:${eventarcId(second)}`, 0, 1, 0],
      ['eventarc:1234567890', 0, 0, 1],
    ]);
  });
});

describe('a store the function cannot use', () => {
  it('answers 500 so Pub/Sub delivers again, and the redelivery is stored once the store is back', async () => {
    const path = join(built.directory, 'held.duckdb');
    const holder = await DuckDbStore.open(path); // another writer holds the file: DuckDB refuses a second
    const server = await startFunction({
      source: built.source,
      target: 'ingestPubSub',
      signatureType: 'cloudevent',
      env: env('held.duckdb'),
    });
    const message = sinkMessage(
      '7100',
      exchangeTokenEntry('sts-0100', 'repo:example-org/web:ref:refs/heads/main', minutesAgo(3)),
    );
    try {
      const refused = await server.send(structured(message));
      await holder.close();
      const retried = await server.send(structured(message));
      expect([refused.status, retried.status]).toEqual([500, 204]);
    } finally {
      await holder.close().catch(() => undefined);
      await server.stop();
    }
    expect(server.logLines().map((line) => [line.severity, line.input])).toEqual([
      ['ERROR', 'pubsub:7100'],
      ['INFO', 'pubsub:7100'],
    ]);
    expect(server.logLines()[0]!.message).toMatch(
      /^pubsub:7100 was not stored and will be delivered again: StoreError: cannot open the DuckDB store .*another tokentrail process has it open/,
    );
    expect(await readStore(path, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 1 }]);
  });
});
