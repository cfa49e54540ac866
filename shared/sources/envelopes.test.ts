import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REJECT_CODES, SKIP_REASONS } from '../core/errors.js';
import {
  DEFAULT_LIMITS,
  type DecodedItem,
  type DecodeLimits,
  decodeBytes,
  decodeStream,
  decodeValue,
} from './index.js';

/**
 * Table-driven over fixtures/<delivery>/<case>.json. A fixture gives either `input` (a JSON value:
 * decoded with decodeValue, and as pretty-printed bytes with decodeBytes and decodeStream) or
 * `bytes` (decoded with decodeBytes and decodeStream only). Records are written once under
 * `records` and referenced by name; `$`-directives build the encoded layers readably:
 *
 *   {"$record": name}  the named record        {"$json": v}    JSON.stringify(v)
 *   {"$ndjson": [..]}  one JSON line per value  {"$concat": [..]} strings/bytes joined
 *   {"$gzip": v}       gzip of v's bytes        {"$base64": v}  base64 of v's bytes
 *   {"$merge": [..]}   objects spread in order (e.g. an "@type" added to a LogEntry)
 *
 * An expected item is compared on the keys it names (`value`, `raw` are optional). An `input` read
 * as text is expected to give `expectedAsText` where that is given (a bare number is a value that
 * is not a record, but a text that is no JSON object or array: one rejection for the input).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface ExpectedItem {
  readonly type: 'record' | 'skip' | 'reject';
  readonly delivery: string;
  readonly path: string;
  readonly value?: number;
  readonly format?: 'cloudtrail' | 'logentry';
  readonly record?: string;
  readonly reason?: string;
  readonly code?: string;
  readonly raw?: string;
}

interface Fixture {
  readonly description: string;
  readonly records?: Record<string, Json>;
  readonly limits?: Partial<DecodeLimits>;
  readonly input?: Json;
  readonly bytes?: Json;
  readonly expected: readonly ExpectedItem[];
  readonly expectedAsText?: readonly ExpectedItem[];
}

const FIXTURES = join(__dirname, 'fixtures');
const DELIVERIES = [
  'cloudtrail-file',
  'cloudtrail-lookup',
  'eventbridge',
  'cloudwatch-logs',
  'pubsub',
  'eventarc',
  'plain',
];

function loadFixtures(): [string, Fixture][] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((directory) =>
      readdirSync(join(FIXTURES, directory.name))
        .filter((file) => file.endsWith('.json'))
        .sort()
        .map((file): [string, Fixture] => [
          `${directory.name}/${file.replace(/\.json$/, '')}`,
          JSON.parse(readFileSync(join(FIXTURES, directory.name, file), 'utf8')) as Fixture,
        ]),
    );
}

function toBytes(built: unknown): Buffer {
  if (Buffer.isBuffer(built)) return built;
  if (typeof built === 'string') return Buffer.from(built, 'utf8');
  return Buffer.from(JSON.stringify(built), 'utf8');
}

function build(node: Json, records: Record<string, Json>): unknown {
  if (Array.isArray(node)) return node.map((element) => build(element, records));
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node);
  const [directive, argument] = entries[0] ?? [];
  if (entries.length === 1 && directive?.startsWith('$') && argument !== undefined) {
    switch (directive) {
      case '$record': {
        const record = records[argument as string];
        if (record === undefined) throw new Error(`fixture names an unknown record: ${String(argument)}`);
        return structuredClone(record);
      }
      case '$json':
        return JSON.stringify(build(argument, records));
      case '$ndjson':
        return (build(argument, records) as unknown[]).map((v) => `${JSON.stringify(v)}\n`).join('');
      case '$concat': {
        const parts = build(argument, records) as unknown[];
        return parts.every((part) => typeof part === 'string')
          ? parts.join('')
          : Buffer.concat(parts.map(toBytes));
      }
      case '$gzip':
        return gzipSync(toBytes(build(argument, records)));
      case '$base64':
        return toBytes(build(argument, records)).toString('base64');
      case '$merge':
        return Object.assign({}, ...(build(argument, records) as object[]));
      default:
        throw new Error(`unknown fixture directive ${directive}`);
    }
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, build(inner, records)]));
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function streamAll(bytes: Uint8Array, size: number, limits: DecodeLimits): Promise<DecodedItem[]> {
  const items: DecodedItem[] = [];
  for await (const batch of decodeStream(chunked(bytes, size), limits)) items.push(...batch);
  return items;
}

/** The actual item in the vocabulary of the fixtures. */
function describeItem(item: DecodedItem): Record<string, unknown> {
  const base = {
    type: item.type,
    delivery: item.delivery,
    value: item.position.value,
    path: item.position.path,
  };
  switch (item.type) {
    case 'record':
      return { ...base, format: item.record.format, record: item.record.value };
    case 'skip':
      return { ...base, reason: item.reason };
    case 'reject':
      return { ...base, code: item.code, raw: item.raw };
  }
}

function expectedItem(expected: ExpectedItem, records: Record<string, Json>): Record<string, unknown> {
  const { record, ...rest } = expected;
  return record === undefined ? { ...rest } : { ...rest, record: records[record] };
}

function pick(
  actual: Record<string, unknown>,
  like: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (!like) return actual;
  return Object.fromEntries(Object.keys(like).map((key) => [key, actual[key]]));
}

/** What holds for every item, whatever the input: fixed vocabularies, a message and raw text on rejects. */
function expectWellFormed(items: readonly DecodedItem[]): void {
  for (const item of items) {
    expect(DELIVERIES).toContain(item.delivery);
    expect(item.position).toEqual({
      value: expect.any(Number),
      path: expect.any(String),
      offset: expect.any(Number),
    });
    if (item.type === 'reject') {
      expect(REJECT_CODES).toContain(item.code);
      expect(item.message).toEqual(expect.stringMatching(/\S/));
      expect(typeof item.raw).toBe('string');
    } else if (item.type === 'skip') {
      expect(SKIP_REASONS).toContain(item.reason);
    } else {
      expect(['cloudtrail', 'logentry']).toContain(item.record.format);
    }
  }
}

const CASES = loadFixtures();

describe('delivery envelope fixtures', () => {
  it('has fixtures for every delivery', () => {
    const directories = new Set(CASES.map(([name]) => name.split('/')[0]));
    expect([...directories].sort()).toEqual([...DELIVERIES].sort());
  });

  describe.each(CASES)('%s', (_name, fixture) => {
    const records = fixture.records ?? {};
    // The items as decoded; the prefilter's skips are checked against these in prefilter.test.ts.
    const limits: DecodeLimits = { ...DEFAULT_LIMITS, prefilter: false, ...fixture.limits };
    const expected = fixture.expected.map((item) => expectedItem(item, records));
    const check = (items: DecodedItem[], wanted = expected) => {
      expectWellFormed(items);
      expect(items.map((item, index) => pick(describeItem(item), wanted[index]))).toEqual(wanted);
    };

    if (fixture.input !== undefined) {
      const input = build(fixture.input, records);
      const text = Buffer.from(JSON.stringify(input, null, 2));
      // Read as text, a rejected top-level value keeps its own bytes, not a re-serialization.
      const asText = fixture.expectedAsText?.map((item) => expectedItem(item, records)) ?? expected;
      const asRead = asText.map((item) =>
        item.type === 'reject' && item.path === '' && 'raw' in item
          ? { ...item, raw: text.toString() }
          : item,
      );

      it('decodeValue', () => {
        const before = structuredClone(input);
        check(decodeValue(input, { limits }));
        expect(input).toEqual(before); // decoding never edits its input
      });
      it('decodeBytes of the same value as JSON text', () => check(decodeBytes(text, limits), asRead));
      it('decodeStream of the same value as JSON text in 5-byte chunks', async () =>
        check(await streamAll(text, 5, limits), asRead));
    } else {
      const bytes = toBytes(build(fixture.bytes ?? null, records));

      it('decodeBytes', () => check(decodeBytes(bytes, limits)));
      it('decodeStream in one chunk', async () => check(await streamAll(bytes, bytes.length || 1, limits)));
      it('decodeStream in 5-byte chunks', async () => check(await streamAll(bytes, 5, limits)));
    }
  });
});

// ------------------------------------------------------------------------------ targeted cases

const ARWWI = {
  eventVersion: '1.09',
  userIdentity: { type: 'WebIdentityUser', userName: 'repo:example-org/ünïcode-😀:ref:refs/heads/main' },
  eventTime: '2025-02-11T08:15:42Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRoleWithWebIdentity',
  eventID: '11111111-2222-4333-8444-555555555555',
};
const LOG_ENTRY = {
  insertId: 'abc123',
  logName: 'projects/demo-proj-4471/logs/cloudaudit.googleapis.com%2Fdata_access',
  protoPayload: {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    methodName: 'storage.objects.get',
    serviceName: 'storage.googleapis.com',
  },
  timestamp: '2025-05-06T07:08:09.123Z',
};
const LOG_ENTRY_DATA_TYPE = 'type.googleapis.com/google.events.cloud.audit.v1.LogEntryData';

function records(items: readonly DecodedItem[]): unknown[] {
  return items.map((item) => (item.type === 'record' ? item.record.value : item));
}

describe('EventBridge', () => {
  it('hands on the detail object unchanged', () => {
    const detail = structuredClone(ARWWI);
    const [item, ...rest] = decodeValue({
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.sts',
      detail,
    });
    expect(rest).toEqual([]);
    expect(item).toMatchObject({ type: 'record', delivery: 'eventbridge', record: { format: 'cloudtrail' } });
    expect(item?.type === 'record' && item.record.value).toEqual(ARWWI);
  });
});

describe('Eventarc', () => {
  it.each([
    [
      'structured, lowercase attributes',
      { methodname: 'storage.objects.get', servicename: 'storage.googleapis.com' },
    ],
    [
      'structured, camelCase attributes',
      { methodName: 'storage.objects.get', serviceName: 'storage.googleapis.com' },
    ],
  ])(
    '%s: the record is the LogEntry without the LogEntryData @type, and the event is not edited',
    (_, attributes) => {
      const event = {
        specversion: '1.0',
        type: 'google.cloud.audit.log.v1.written',
        ...attributes,
        data: { '@type': LOG_ENTRY_DATA_TYPE, ...structuredClone(LOG_ENTRY) },
      };
      const items = decodeValue(event);
      expect(records(items)).toEqual([LOG_ENTRY]);
      expect(items[0]).toMatchObject({ delivery: 'eventarc', record: { format: 'logentry' } });
      expect('@type' in (records(items)[0] as object)).toBe(false);
      expect(event.data['@type']).toBe(LOG_ENTRY_DATA_TYPE);
    },
  );

  it('binary-mode body: the LogEntryData alone also loses its @type (and keeps protoPayload.@type)', () => {
    const items = decodeValue({ ...structuredClone(LOG_ENTRY), '@type': LOG_ENTRY_DATA_TYPE });
    expect(records(items)).toEqual([LOG_ENTRY]);
    expect(items[0]).toMatchObject({ type: 'record', record: { format: 'logentry' } });
  });

  it.each([
    'google.cloud.storage.object.v1.finalized',
    'google.cloud.pubsub.topic.v1.messagePublishedX',
    'com.example.custom',
  ])('skips a CloudEvent of type %s as not_audit_log', (type) => {
    expect(decodeValue({ specversion: '1.0', type, data: structuredClone(LOG_ENTRY) })).toEqual([
      {
        type: 'skip',
        reason: 'not_audit_log',
        delivery: 'eventarc',
        position: { value: 0, path: '', offset: 0 },
      },
    ]);
  });
});

describe('CloudWatch Logs', () => {
  const payload = (message: object) => ({
    awslogs: { data: gzipSync(Buffer.from(JSON.stringify(message))).toString('base64') },
  });
  const dataMessage = {
    messageType: 'DATA_MESSAGE',
    owner: '210987654321',
    logGroup: 'aws-cloudtrail-logs',
    logStream: '210987654321_CloudTrail_us-east-1',
    subscriptionFilters: ['f'],
    logEvents: [
      {
        id: '38012345678901234567890123456789012345678901234567890123',
        timestamp: 1,
        message: JSON.stringify(ARWWI),
      },
    ],
  };

  it('rejects a payload over a small custom maxPayloadBytes as too_large, and decodes it under the default', () => {
    const event = payload(dataMessage);
    const size = Buffer.byteLength(JSON.stringify(dataMessage));
    const small = decodeValue(event, { limits: { ...DEFAULT_LIMITS, maxPayloadBytes: size - 1 } });
    expect(small).toMatchObject([{ type: 'reject', code: 'too_large', delivery: 'cloudwatch-logs' }]);
    expect(records(decodeValue(event, { limits: { ...DEFAULT_LIMITS, maxPayloadBytes: size } }))).toEqual([
      ARWWI,
    ]);
    expect(records(decodeValue(event))).toEqual([ARWWI]);
  });

  it('rejects base64 that is not gzip as decompression_failed and garbage as invalid_encoding', () => {
    expect(decodeValue({ awslogs: { data: Buffer.from('not gzip').toString('base64') } })).toMatchObject([
      { type: 'reject', code: 'decompression_failed' },
    ]);
    expect(decodeValue({ awslogs: { data: '%%%' } })).toMatchObject([
      { type: 'reject', code: 'invalid_encoding' },
    ]);
  });
});

describe('Pub/Sub', () => {
  it('decodes data with and without the sink trailing newline', () => {
    for (const suffix of ['\n', '']) {
      const data = Buffer.from(JSON.stringify(LOG_ENTRY) + suffix).toString('base64');
      const items = decodeValue({ message: { data, messageId: '1', message_id: '1' }, subscription: 's' });
      expect(records(items)).toEqual([LOG_ENTRY]);
      expect(items[0]).toMatchObject({ delivery: 'pubsub', position: { path: '/message/data' } });
    }
  });
});

describe('unrecognized values', () => {
  it.each<[string, unknown]>([
    ['an object of unknown shape', { hello: 1 }],
    ['a number', 42],
    ['a string', 'AssumeRoleWithWebIdentity'],
    ['a boolean', true],
    ['null', null],
  ])('%s is one unrecognized_record rejection with its text', (_, input) => {
    const items = decodeValue(input);
    expect(items).toEqual([
      {
        type: 'reject',
        code: 'unrecognized_record',
        message: expect.stringMatching(/\S/),
        raw: JSON.stringify(input),
        delivery: 'plain',
        position: { value: 0, path: '', offset: 0 },
      },
    ]);
  });
});

describe('malformed bytes', () => {
  const good = (n: number) => ({ ...ARWWI, eventID: `good-${n}` });

  it('rejects a broken NDJSON line as invalid_json at its byte offset; the other lines still decode', () => {
    const broken = '{"eventName": "AssumeRoleWithWebIdentity", "eventID": }';
    const lines = [JSON.stringify(good(1)), broken, JSON.stringify(good(3))];
    const text = `${lines.join('\n')}\n`;
    const items = decodeBytes(Buffer.from(text));
    expect(records(items.filter((item) => item.type === 'record'))).toEqual([good(1), good(3)]);
    const rejects = items.filter((item) => item.type === 'reject');
    expect(rejects).toEqual([
      {
        type: 'reject',
        code: 'invalid_json',
        message: expect.stringMatching(/\S/),
        raw: expect.stringContaining('"eventID": }'),
        delivery: 'plain',
        position: { value: 1, path: '', offset: Buffer.byteLength(`${lines[0]}\n`) },
      },
    ]);
  });

  it.each([false, true])('rejects a broken element of a Records file (gzip: %s) in place', async (gzip) => {
    const broken = '{"eventName": "AssumeRoleWithWebIdentity", "eventID": "x",}';
    const text = `{"Records":[${JSON.stringify(good(1))},${broken},${JSON.stringify(good(3))}]}`;
    const bytes = gzip ? gzipSync(Buffer.from(text)) : Buffer.from(text);
    const expected = [
      {
        type: 'record',
        delivery: 'cloudtrail-file',
        path: '/Records/0',
        offset: Buffer.byteLength('{"Records":['),
      },
      {
        type: 'reject',
        delivery: 'cloudtrail-file',
        path: '/Records/1',
        offset: Buffer.byteLength(text.slice(0, text.indexOf(broken))),
      },
      {
        type: 'record',
        delivery: 'cloudtrail-file',
        path: '/Records/2',
        offset: Buffer.byteLength(text.slice(0, text.lastIndexOf('{"eventVersion"'))),
      },
    ];
    for (const items of [decodeBytes(bytes), await streamAll(bytes, 7, DEFAULT_LIMITS)]) {
      expect(
        items.map((item) => ({
          type: item.type,
          delivery: item.delivery,
          path: item.position.path,
          offset: item.position.offset,
        })),
      ).toEqual(expected);
      expect(items[1]).toMatchObject({ type: 'reject', code: 'invalid_json' });
      expect(records([items[0]!, items[2]!])).toEqual([good(1), good(3)]);
    }
  });
});

describe('decodeStream', () => {
  const file = Buffer.from(JSON.stringify({ Records: [ARWWI, { ...ARWWI, eventID: 'second' }] }));

  it.each([1, 2, 3])('finds the gzip magic when the first chunk holds only %i byte(s)', async (first) => {
    const gz = gzipSync(file);
    async function* source() {
      yield gz.subarray(0, first);
      yield gz.subarray(first);
    }
    const items: DecodedItem[] = [];
    for await (const batch of decodeStream(source())) items.push(...batch);
    expect(items).toEqual(decodeBytes(gz));
    expect(records(items)).toEqual([ARWWI, { ...ARWWI, eventID: 'second' }]);
  });

  it('skips empty chunks and decodes a gzipped NDJSON of LogEntries by content', async () => {
    const gz = gzipSync(Buffer.from(`${JSON.stringify(LOG_ENTRY)}\n${JSON.stringify(LOG_ENTRY)}\n`));
    async function* source() {
      yield new Uint8Array(0);
      yield gz;
      yield new Uint8Array(0);
    }
    const items: DecodedItem[] = [];
    for await (const batch of decodeStream(source())) items.push(...batch);
    expect(records(items)).toEqual([LOG_ENTRY, LOG_ENTRY]);
    expect(items.map((item) => item.delivery)).toEqual(['plain', 'plain']);
    expect(items).toEqual(decodeBytes(gz));
  });
});
