import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { REJECT_CODES, SKIP_REASONS } from '../core/errors.js';
import { type DecodedItem, decodeBytes, decodeStream, decodeValue } from './index.js';

/**
 * The decoders are total: any JSON value and any bytes give records, skips and rejections, never
 * an exception, and streaming the bytes in any chunks gives what decoding them at once gives.
 * (test/helpers/envelopes.ts is not imported here: nothing under shared/ may import test/.)
 */

const DELIVERIES = [
  'cloudtrail-file',
  'cloudtrail-lookup',
  'eventbridge',
  'cloudwatch-logs',
  'pubsub',
  'eventarc',
  'plain',
];
const CLOUDEVENT_TYPES = [
  'google.cloud.audit.log.v1.written',
  'google.cloud.pubsub.topic.v1.messagePublished',
  'google.cloud.storage.object.v1.finalized',
];
const LOG_ENTRY_DATA_TYPE = 'type.googleapis.com/google.events.cloud.audit.v1.LogEntryData';

const json = fc.jsonValue({ maxDepth: 4 });
const base64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');
const gzipBase64 = (data: string | Uint8Array) => gzipSync(Buffer.from(data)).toString('base64');

/** Strings that look like what an envelope carries: free text, base64 of anything, base64 of gzip of JSON. */
const payloadString = fc.oneof(
  fc.string(),
  fc.base64String(),
  fc.uint8Array({ maxLength: 64 }).map(base64),
  json.map((v) => base64(`${JSON.stringify(v)}\n`)),
  json.map((v) => gzipBase64(JSON.stringify(v))),
  fc.uint8Array({ maxLength: 64 }).map((b) => base64(Buffer.concat([Buffer.from([0x1f, 0x8b]), b]))),
);

const cloudTrailish = fc.record(
  {
    eventVersion: fc.constantFrom('1.08', '1.11'),
    eventName: fc.oneof(fc.constantFrom('AssumeRoleWithWebIdentity', 'GetObject'), fc.string()),
    eventSource: fc.constantFrom('sts.amazonaws.com', 's3.amazonaws.com'),
    eventID: fc.oneof(fc.uuid(), json),
    eventTime: fc.oneof(fc.constant('2025-01-01T00:00:00Z'), json),
    userIdentity: json,
  },
  { requiredKeys: [] },
);

const logEntryish = fc.record(
  {
    '@type': fc.constantFrom(LOG_ENTRY_DATA_TYPE, 'type.googleapis.com/other'),
    insertId: fc.oneof(fc.string(), json),
    logName: fc.oneof(fc.constant('projects/p/logs/cloudaudit.googleapis.com%2Fdata_access'), json),
    protoPayload: fc.oneof(json, fc.record({ methodName: fc.string(), serviceName: fc.string() })),
    jsonPayload: json,
    timestamp: fc.oneof(fc.constant('2025-01-01T00:00:00.123456789Z'), json),
  },
  { requiredKeys: [] },
);

const logEvent = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^\d{56}$/), fc.constant(''), json),
    timestamp: fc.oneof(fc.nat(), json),
    message: fc.oneof(
      fc.string(),
      cloudTrailish.map((r) => JSON.stringify(r)),
      json.map((v) => JSON.stringify(v)),
      json,
    ),
  },
  { requiredKeys: [] },
);

const cwlMessage = fc.record(
  {
    messageType: fc.oneof(fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE'), json),
    owner: fc.string(),
    logEvents: fc.oneof(fc.array(logEvent, { maxLength: 4 }), json),
  },
  { requiredKeys: [] },
);

const pubSubMessage = fc.record(
  {
    data: fc.oneof(
      payloadString,
      logEntryish.map((e) => base64(`${JSON.stringify(e)}\n`)),
      json,
    ),
    messageId: fc.string(),
    message_id: fc.string(),
    publishTime: fc.string(),
    attributes: json,
  },
  { requiredKeys: [] },
);

/** Objects shaped like each envelope, with arbitrary values in their fields. */
const envelopeShaped: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ awslogs: fc.record({ data: payloadString }) }),
  fc.record({ awslogs: fc.oneof(json, fc.record({ data: json })) }),
  fc.record({ awslogs: fc.record({ data: cwlMessage.map((m) => gzipBase64(JSON.stringify(m))) }) }),
  cwlMessage,
  fc.record({ message: fc.record({ data: fc.string() }) }),
  fc.record({ message: pubSubMessage, subscription: fc.string() }, { requiredKeys: ['message'] }),
  fc.record({
    specversion: fc.constant('1.0'),
    type: fc.oneof(fc.constantFrom(...CLOUDEVENT_TYPES), fc.string()),
    data: json,
  }),
  fc.record({
    specversion: fc.constant('1.0'),
    type: fc.constantFrom(...CLOUDEVENT_TYPES),
    data: fc.oneof(logEntryish, fc.record({ message: pubSubMessage, subscription: fc.string() })),
  }),
  fc.record({
    'detail-type': fc.oneof(fc.constantFrom('AWS API Call via CloudTrail', 'Object Created'), fc.string()),
    detail: fc.oneof(json, cloudTrailish),
  }),
  fc.record({ Records: fc.array(fc.oneof(json, cloudTrailish), { maxLength: 4 }) }),
  cloudTrailish,
  logEntryish,
);

/** Any mix of the above, including inside arrays (gcloud output) and inside each other. */
const anyInput = fc.oneof(
  { weight: 3, arbitrary: envelopeShaped },
  { weight: 1, arbitrary: json },
  { weight: 1, arbitrary: fc.array(envelopeShaped, { maxLength: 3 }) },
  { weight: 1, arbitrary: envelopeShaped.map((inner) => ({ Records: [inner] })) },
  {
    weight: 1,
    arbitrary: envelopeShaped.map((inner) => ({
      awslogs: {
        data: gzipBase64(
          JSON.stringify({
            messageType: 'DATA_MESSAGE',
            logEvents: [{ id: '1', message: JSON.stringify(inner) }],
          }),
        ),
      },
    })),
  },
);

function expectWellFormed(items: readonly DecodedItem[]): void {
  for (const item of items) {
    expect(DELIVERIES).toContain(item.delivery);
    expect(typeof item.position.value).toBe('number');
    expect(typeof item.position.path).toBe('string');
    expect(typeof item.position.offset).toBe('number');
    if (item.type === 'reject') {
      expect(REJECT_CODES).toContain(item.code);
      expect(typeof item.message).toBe('string');
      expect(typeof item.raw).toBe('string');
    } else if (item.type === 'skip') {
      expect(SKIP_REASONS).toContain(item.reason);
    } else {
      expect(item.type).toBe('record');
      expect(['cloudtrail', 'logentry']).toContain(item.record.format);
      expect(item.record.value).toEqual(expect.any(Object));
    }
  }
}

async function* chunks(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  if (sizes.every((size) => size === 0)) {
    yield bytes;
    return;
  }
  let start = 0;
  for (let i = 0; start < bytes.length; i = (i + 1) % sizes.length) {
    const size = sizes[i]!;
    yield bytes.subarray(start, start + size); // size 0: an empty chunk
    start += size;
  }
}

async function streamed(bytes: Uint8Array, sizes: readonly number[]): Promise<DecodedItem[]> {
  const items: DecodedItem[] = [];
  for await (const batch of decodeStream(chunks(bytes, sizes))) items.push(...batch);
  return items;
}

const chunkSizes = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 });
const withGzipMagic = fc.uint8Array({ maxLength: 200 }).map((b) => new Uint8Array([0x1f, 0x8b, ...b]));

/** Well-formed inputs as bytes: JSON, pretty JSON, NDJSON, back-to-back, each possibly gzipped. */
const wellFormedBytes = fc
  .tuple(
    fc.array(anyInput, { minLength: 1, maxLength: 3 }),
    fc.constantFrom('ndjson', 'pretty', 'concatenated', 'array'),
    fc.boolean(),
  )
  .map(([values, layout, gzip]) => {
    const text =
      layout === 'ndjson'
        ? values.map((v) => `${JSON.stringify(v)}\n`).join('')
        : layout === 'pretty'
          ? values.map((v) => JSON.stringify(v, null, 2)).join('\n')
          : layout === 'concatenated'
            ? values.map((v) => JSON.stringify(v)).join('')
            : JSON.stringify(values);
    const bytes = Buffer.from(text);
    return gzip ? gzipSync(bytes) : bytes;
  });

describe('decodeValue is total', () => {
  it('never throws for arbitrary JSON, and leaves it unchanged', () => {
    fc.assert(
      fc.property(json, (value) => {
        const before = structuredClone(value);
        expectWellFormed(decodeValue(value));
        expect(value).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws for envelope-shaped objects with arbitrary field values', () => {
    fc.assert(
      fc.property(anyInput, (value) => {
        const before = structuredClone(value);
        expectWellFormed(decodeValue(value));
        expect(value).toEqual(before);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws with tiny limits either', () => {
    const limits = { maxDecompressedBytes: 16, maxPayloadBytes: 16, maxValueBytes: 16 };
    fc.assert(
      fc.property(anyInput, (value) => expectWellFormed(decodeValue(value, { limits }))),
      { numRuns: 150 },
    );
  });
});

describe('decodeBytes is total', () => {
  it('never throws for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expectWellFormed(decodeBytes(bytes))),
      { numRuns: 300 },
    );
  });

  it('never throws for bytes that start with the gzip magic 0x1f 0x8b', () => {
    fc.assert(
      fc.property(withGzipMagic, (bytes) => {
        const items = decodeBytes(bytes);
        expectWellFormed(items);
        expect(items).toMatchObject([{ type: 'reject', code: 'decompression_failed' }]);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws for gzip streams cut short or with flipped bytes', () => {
    const damaged = fc
      .tuple(wellFormedBytes, fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }))
      .map(([bytes, cut, at, flip]) => {
        const gz = Buffer.from(gzipSync(bytes));
        const index = 2 + (at % (gz.length - 2));
        if (cut) return gz.subarray(0, index);
        gz[index]! ^= flip;
        return gz;
      });
    fc.assert(
      fc.property(damaged, (bytes) => expectWellFormed(decodeBytes(bytes))),
      { numRuns: 150 },
    );
  });

  it('never throws for well-formed JSON of envelope-shaped values', () => {
    fc.assert(
      fc.property(wellFormedBytes, (bytes) => expectWellFormed(decodeBytes(bytes))),
      { numRuns: 200 },
    );
  });
});

describe('decodeStream yields what decodeBytes gives, however the bytes are chunked', () => {
  it('for arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), chunkSizes, async (bytes, sizes) => {
        expect(await streamed(bytes, sizes)).toEqual(decodeBytes(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('for well-formed inputs, plain and gzipped', async () => {
    await fc.assert(
      fc.asyncProperty(wellFormedBytes, chunkSizes, async (bytes, sizes) => {
        expect(await streamed(bytes, sizes)).toEqual(decodeBytes(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it('for bytes that start with the gzip magic but are not gzip', async () => {
    await fc.assert(
      fc.asyncProperty(withGzipMagic, chunkSizes, async (bytes, sizes) => {
        expect(await streamed(bytes, sizes)).toEqual(decodeBytes(bytes));
      }),
      { numRuns: 100 },
    );
  });
});

describe('an input that does not open with { or [ is one rejection, whatever follows', () => {
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  /** A first byte past any byte order mark and whitespace: neither { nor [, nor what starts a BOM or gzip. */
  const firstByte = fc
    .integer({ min: 0, max: 255 })
    .filter((byte) => ![0x7b, 0x5b, 0x20, 0x09, 0x0a, 0x0d, 0xef, 0x1f].includes(byte));
  const rest = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc
      .array(anyInput, { maxLength: 3 })
      .map((values) => Buffer.from(values.map((v) => `${JSON.stringify(v)}\n`).join(''))),
  );
  const notJson = fc
    .tuple(fc.boolean(), fc.stringMatching(/^[ \t\r\n]{0,4}$/), firstByte, rest)
    .map(([bom, space, first, tail]) =>
      Buffer.concat([
        Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []),
        Buffer.from(space),
        Buffer.from([first]),
        tail,
      ]),
    );

  it('gives exactly one rejection at offset 0 that holds or describes all of the input, plain or gzipped, in any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(notJson, fc.boolean(), chunkSizes, async (plain, gzip, sizes) => {
        const bytes = gzip ? gzipSync(plain) : plain;
        const items = decodeBytes(bytes);
        expect(await streamed(bytes, sizes)).toEqual(items);
        expect(items).toHaveLength(1);
        const [item] = items;
        if (item?.type !== 'reject') throw new Error('expected one rejection');
        expect(item).toMatchObject({ delivery: 'plain', position: { value: 0, path: '', offset: 0 } });
        expect(item.message).toMatch(/^not JSON: starts with '/);
        const kept =
          item.code === 'invalid_encoding' ? Buffer.from(item.raw, 'base64') : Buffer.from(item.raw);
        expect(['invalid_json', 'invalid_encoding']).toContain(item.code);
        expect(plain.subarray(0, kept.length)).toEqual(kept);
        expect(item.whole ?? { bytes: kept.length, sha256: sha256(kept) }).toEqual({
          bytes: plain.length,
          sha256: sha256(plain),
        });
      }),
      { numRuns: 300 },
    );
  });
});
