import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DEFAULT_LIMITS, type DecodedItem, type DecodeLimits, decodeStream, decodeValue } from './index.js';

/**
 * Issue 11's evidence: whatever the delivery, valid records mixed with hostile ones (too deep, too
 * large, an unterminated string, bytes that are not UTF-8) come out as one record per valid one
 * and exactly one located rejection per hostile one, in order, and nothing throws.
 */

const limits: DecodeLimits = { ...DEFAULT_LIMITS, maxValueBytes: 4096 };

type Hostile = 'deep' | 'large' | 'unterminated' | 'not_utf8';
type Entry = { readonly kind: 'valid'; readonly fields: Record<string, string> } | { readonly kind: Hostile };

const CODES: Record<Hostile, string> = {
  deep: 'too_large',
  large: 'too_large',
  unterminated: 'invalid_json',
  not_utf8: 'invalid_encoding',
};

// Strings that tempt a resync: what a record boundary looks like, as a valid string must escape it.
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('},{"eventVersion":"1.08"', '{"eventVersion":', '"\\', '\n'),
);
const entry: fc.Arbitrary<Entry> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({ userAgent: text, sourceIPAddress: text })
      .map((fields) => ({ kind: 'valid' as const, fields })),
  },
  fc.constantFrom<Hostile>('deep', 'large', 'unterminated', 'not_utf8').map((kind) => ({ kind })),
);
const entries = fc.array(entry, { minLength: 1, maxLength: 8 });

const idOf = (index: number) => `d4d4d4d4-${String(index).padStart(4, '0')}-4000-8000-000000000000`;

/** A CloudTrail record's bytes (eventVersion first, as CloudTrail writes it). */
function cloudTrailBytes(item: Entry, index: number): Buffer {
  const id = idOf(index);
  const open = `{"eventVersion":"1.08","eventID":"${id}","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity"`;
  switch (item.kind) {
    case 'valid':
      return Buffer.from(
        JSON.stringify({
          eventVersion: '1.08',
          eventID: id,
          eventName: 'AssumeRoleWithWebIdentity',
          ...item.fields,
        }),
      );
    case 'deep':
      return Buffer.from(`${open},"x":${'['.repeat(1100)}${']'.repeat(1100)}}`);
    case 'large':
      return Buffer.from(`${open},"x":"${'z'.repeat(5000)}"}`);
    case 'unterminated':
      return Buffer.from(`${open},"userAgent": ,,"broken ,"awsRegion":"us-east-1"}`);
    case 'not_utf8':
      return Buffer.concat([
        Buffer.from(`${open},"userAgent":"a`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('b"}'),
      ]);
  }
}

/** A LogEntry (for Pub/Sub and Eventarc), built the same way. */
function logEntryBytes(item: Entry, index: number): Buffer {
  const open = `{"insertId":"${idOf(index)}","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"methodName":"m"}`;
  switch (item.kind) {
    case 'valid':
      return Buffer.from(
        JSON.stringify({ insertId: idOf(index), protoPayload: { methodName: 'm', ...item.fields } }),
      );
    case 'deep':
      return Buffer.from(`${open},"x":${'['.repeat(1100)}${']'.repeat(1100)}}`);
    case 'large':
      return Buffer.from(`${open},"x":"${'z'.repeat(5000)}"}`);
    case 'unterminated':
      return Buffer.from(`${open},"severity": ,,"broken ,"x":"y"}`);
    case 'not_utf8':
      return Buffer.concat([Buffer.from(`${open},"x":"a`), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]);
  }
}

const join = (parts: Buffer[], separator: string) =>
  Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [Buffer.from(separator), part])));

const pushBody = (data: Buffer) =>
  Buffer.from(
    JSON.stringify({ message: { data: data.toString('base64'), messageId: '1' }, subscription: 's' }),
  );
const cloudEventOpen = Buffer.from(
  '{"specversion":"1.0","type":"google.cloud.audit.log.v1.written","source":"//cloudaudit.googleapis.com/projects/p","id":"e","data":',
);

/** A CloudWatch Logs message is a JSON string: bytes that are not UTF-8 reach it as lone surrogates. */
function cwlMessage(item: Entry, index: number): string {
  if (item.kind === 'not_utf8')
    return cloudTrailBytes(item, index).toString('latin1').replace('\u00ff\u00fe', '\udcff\udcfe');
  return cloudTrailBytes(item, index).toString('utf8');
}
function awslogs(items: readonly Entry[]) {
  const message = {
    messageType: 'DATA_MESSAGE',
    owner: '210987654321',
    logGroup: 'g',
    logStream: 's',
    subscriptionFilters: ['f'],
    logEvents: items.map((item, i) => ({
      id: String(i),
      timestamp: 1737382800000 + i,
      message: cwlMessage(item, i),
    })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(message))).toString('base64') } };
}

async function stream(bytes: Buffer, size: number): Promise<DecodedItem[]> {
  async function* chunks() {
    for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
  }
  const items: DecodedItem[] = [];
  for await (const batch of decodeStream(chunks(), limits)) items.push(...batch);
  return items;
}

function expectOneEach(items: readonly DecodedItem[], expected: readonly Entry[]): void {
  expect(items).toHaveLength(expected.length);
  expected.forEach((entry, index) => {
    const item = items[index]!;
    if (entry.kind === 'valid') {
      expect(item.type).toBe('record');
      if (item.type === 'record') {
        const value = item.record.value as Record<string, unknown>;
        expect(value.eventID ?? value.insertId).toBe(idOf(index));
      }
    } else {
      expect({ kind: entry.kind, type: item.type, code: item.type === 'reject' && item.code }).toEqual({
        kind: entry.kind,
        type: 'reject',
        code: CODES[entry.kind],
      });
      // The types already say number and string: check that the rejection is placed somewhere real.
      expect(Number.isSafeInteger(item.position.offset) && item.position.offset >= 0).toBe(true);
      expect(item.position.path).toMatch(/^(\/[^/]+)*$/);
    }
  });
}

const chunkSize = fc.integer({ min: 1, max: 2048 });
const RUNS = { numRuns: 30 };

describe('any delivery mixing valid and hostile records', () => {
  it('a CloudTrail file, plain or gzip, streamed in any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(entries, fc.boolean(), chunkSize, async (items, gzip, size) => {
        const file = Buffer.concat([
          Buffer.from('{"Records":['),
          join(items.map(cloudTrailBytes), ','),
          Buffer.from(']}'),
        ]);
        expectOneEach(await stream(gzip ? gzipSync(file) : file, size), items);
      }),
      RUNS,
    );
  });

  it('NDJSON of records', async () => {
    await fc.assert(
      fc.asyncProperty(entries, chunkSize, async (items, size) => {
        expectOneEach(await stream(join(items.map(cloudTrailBytes), '\n'), size), items);
      }),
      RUNS,
    );
  });

  it('a CloudWatch Logs subscription, as the Lambda event and as bytes', async () => {
    await fc.assert(
      fc.asyncProperty(entries, async (items) => {
        const event = awslogs(items);
        expectOneEach(decodeValue(event, { limits }), items);
        expectOneEach(await stream(Buffer.from(JSON.stringify(event)), 512), items);
      }),
      RUNS,
    );
  });

  it('Pub/Sub pushes, one LogEntry each, plain or gzip', async () => {
    await fc.assert(
      fc.asyncProperty(entries, fc.boolean(), chunkSize, async (items, gzip, size) => {
        const pushes = items.map((item, i) => {
          const data = logEntryBytes(item, i);
          return pushBody(gzip ? gzipSync(data) : data);
        });
        expectOneEach(await stream(join(pushes, '\n'), size), items);
      }),
      RUNS,
    );
  });

  it('Eventarc CloudEvents, as bytes and (deep ones) as values a framework parsed', async () => {
    await fc.assert(
      fc.asyncProperty(entries, chunkSize, async (items, size) => {
        const events = items.map((item, i) =>
          Buffer.concat([cloudEventOpen, logEntryBytes(item, i), Buffer.from('}')]),
        );
        expectOneEach(await stream(join(events, '\n'), size), items);
        const parseable = items.filter((item) => item.kind === 'valid' || item.kind === 'deep');
        const parsed = parseable.map((item, i) =>
          JSON.parse(Buffer.concat([cloudEventOpen, logEntryBytes(item, i), Buffer.from('}')]).toString()),
        );
        expectOneEach(
          parsed.flatMap((event) => decodeValue(event, { limits })),
          parseable,
        );
      }),
      RUNS,
    );
  });
});
