import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  DEFAULT_LIMITS,
  type DecodedItem,
  type DecodeLimits,
  decodeBytes,
  decodeStream,
  decodeValue,
} from './index.js';

/**
 * Issue 11, items 1-5: hostile bytes inside a delivery reject that record alone, with its bytes,
 * and never cost its neighbours. Records are written here after the CloudTrail and LogEntry
 * shapes of ../shared/reference/events.md §1.
 */

const record = (n: number) => ({
  eventVersion: '1.08',
  eventTime: '2025-01-20T14:20:00Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRoleWithWebIdentity',
  userAgent: 'aws-sdk-js/3.0.0',
  eventID: `c3c3c3c3-${String(n).padStart(4, '0')}-4000-8000-000000000000`,
});
const logEntry = (n: number) => ({
  insertId: `entry-${n}`,
  logName: 'projects/p/logs/cloudaudit.googleapis.com%2Fdata_access',
  timestamp: '2025-01-20T14:20:00.123456Z',
  protoPayload: {
    serviceName: 'sts.googleapis.com',
    methodName: 'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
  },
});

/** `{"x":{"x":…1…}}`, `levels` objects deep. */
const nested = (levels: number) => `${'{"x":'.repeat(levels)}1${'}'.repeat(levels)}`;
const DEEP = nested(5000);
/** A CloudTrail record holding a value `levels` deep, so the record itself is `levels + 1` deep. */
const recordNesting = (levels: number) =>
  `{"eventVersion":"1.08","eventID":"deep","requestParameters":${nested(levels)}}`;

const gzipBase64 = (text: string) => gzipSync(Buffer.from(text)).toString('base64');
const summary = (items: DecodedItem[]) =>
  items.map((item) => (item.type === 'reject' ? `reject:${item.code}` : item.type));

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}
async function streamed(bytes: Buffer, size = 1000, limits: DecodeLimits = DEFAULT_LIMITS) {
  const items: DecodedItem[] = [];
  for await (const batch of decodeStream(chunks(bytes, size), limits)) items.push(...batch);
  return items;
}

describe('nesting deeper than the cap, at every level of decoding (item 1)', () => {
  const cwlMessage = (messages: string[]) => ({
    messageType: 'DATA_MESSAGE',
    owner: '210987654321',
    logGroup: 'aws-cloudtrail-logs',
    logStream: '210987654321_CloudTrail_us-east-1',
    subscriptionFilters: ['to-tokentrail'],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1737382800000 + i, message })),
  });
  const messages = [JSON.stringify(record(1)), DEEP, JSON.stringify(record(3))];

  it('rejects a deep CloudWatch Logs message alone, keeping its text, in the decoded and the Lambda form', () => {
    for (const input of [
      cwlMessage(messages),
      { awslogs: { data: gzipBase64(JSON.stringify(cwlMessage(messages))) } },
    ]) {
      const items = decodeValue(input);
      expect(summary(items)).toEqual(['record', 'reject:too_large', 'record']);
      expect(items[1]).toMatchObject({
        raw: DEEP,
        message: expect.stringContaining('nests deeper than 1024 levels'),
      });
    }
  });

  it('rejects a deep Pub/Sub message.data (plain or gzip) and keeps the pushes beside it', () => {
    const push = (data: string) => ({
      message: { data, messageId: '1' },
      subscription: 'projects/p/subscriptions/s',
    });
    for (const data of [Buffer.from(DEEP).toString('base64'), gzipBase64(DEEP)]) {
      const lines = [
        push(Buffer.from(JSON.stringify(logEntry(1))).toString('base64')),
        push(data),
        push(gzipBase64(JSON.stringify(logEntry(3)))),
      ];
      const bytes = Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
      expect(summary(decodeBytes(bytes))).toEqual(['record', 'reject:too_large', 'record']);
      expect(decodeValue(lines[1])).toMatchObject([
        { type: 'reject', code: 'too_large', delivery: 'pubsub' },
      ]);
    }
  });

  it('rejects a deep value the functions framework already parsed, without recursing into it', () => {
    const eventarc = {
      specversion: '1.0',
      type: 'google.cloud.audit.log.v1.written',
      source: '//cloudaudit.googleapis.com/projects/p/logs/data_access',
      id: 'e1',
      data: { ...logEntry(2), protoPayload: JSON.parse(nested(5000)) },
    };
    const items = decodeValue(eventarc);
    expect(items).toMatchObject([
      { type: 'reject', code: 'too_large', delivery: 'eventarc', position: { path: '/data' } },
    ]);
    const [reject] = items as [Extract<DecodedItem, { type: 'reject' }>];
    expect(reject.raw).toContain(nested(5000));

    const file = { Records: [record(1), JSON.parse(recordNesting(5000)), record(3)] };
    expect(summary(decodeValue(file))).toEqual(['record', 'reject:too_large', 'record']);
    expect(summary(decodeValue([logEntry(1), JSON.parse(DEEP), logEntry(3)]))).toEqual([
      'record',
      'reject:too_large',
      'record',
    ]);
  });

  it('draws the line at the same depth on every path: the record itself may nest 1024 levels, not 1025', () => {
    for (const [levels, expected] of [
      [1023, 'record'],
      [1024, 'reject:too_large'],
    ] as const) {
      const text = recordNesting(levels);
      const file = Buffer.from(`{"Records":[${JSON.stringify(record(1))},${text}]}`);
      expect(summary(decodeBytes(file, { ...DEFAULT_LIMITS, prefilter: false }))[1]).toBe(expected);
      // Prefiltered, the deepest allowed record is read through and skipped unparsed (it is no federation event).
      expect(summary(decodeBytes(file))[1]).toBe(expected === 'record' ? 'skip' : expected);
      expect(summary(decodeBytes(Buffer.from(text)))).toEqual([expected]);
      expect(summary(decodeValue(cwlMessage([text])))).toEqual([expected]);
      expect(summary(decodeValue(JSON.parse(text)))).toEqual([expected]);
    }
  });
});

describe('an unterminated string inside a CloudTrail Records array (item 2)', () => {
  const before = JSON.stringify(record(1));
  const broken = '{"eventVersion":"1.08","eventID": ,,"broken ,"eventName":"AssumeRoleWithWebIdentity"}';
  // A valid record whose string holds what a resync looks for, escaped as JSON must escape it.
  const tricky = JSON.stringify({ ...record(3), requestParameters: { policy: '},{"eventVersion":"1.08"}' } });
  const after = JSON.stringify(record(4));
  const file = Buffer.from(`{"Records":[${before},${broken},${tricky},${after}]}`);

  it('rejects the broken stretch whole as invalid_json and resumes at the next record', async () => {
    for (const bytes of [file, gzipSync(file)]) {
      for (const size of [7, 64, 1 << 20]) {
        const items = await streamed(bytes, size);
        expect(summary(items)).toEqual(['record', 'reject:invalid_json', 'record', 'record']);
        expect(items[1]).toMatchObject({
          raw: broken,
          delivery: 'cloudtrail-file',
          position: { path: '/Records/1', offset: file.indexOf(broken) },
          message: expect.stringContaining('never terminated'),
        });
        expect(items.map((item) => item.position.path)).toEqual([0, 1, 2, 3].map((i) => `/Records/${i}`));
      }
    }
  });

  it('finds the next record at every chunk boundary', async () => {
    for (let size = 1; size < 40; size++) {
      expect(summary(await streamed(file, size))).toEqual([
        'record',
        'reject:invalid_json',
        'record',
        'record',
      ]);
    }
  });

  it('names the cause, and keeps every byte, when no record follows the broken one', async () => {
    const last = Buffer.from(`{"Records":[${before},${broken}]}`);
    const items = await streamed(last);
    expect(summary(items)).toEqual(['record', 'reject:invalid_json']);
    expect(items[1]).toMatchObject({
      raw: `${broken}]}`,
      message: expect.stringContaining('never terminated'),
    });
  });
});

describe('bytes that are not UTF-8 (item 3)', () => {
  const line = (userAgent: Buffer) =>
    Buffer.concat([
      Buffer.from('{"eventVersion":"1.08","eventID":"x","userAgent":"'),
      userAgent,
      Buffer.from('"}'),
    ]);
  const bad = line(Buffer.from([0x61, 0xff, 0xfe, 0x62]));

  it('rejects the record as invalid_encoding with its bytes in base64, on the streamed path as in the functions', async () => {
    const ndjson = Buffer.concat([
      Buffer.from(`${JSON.stringify(record(1))}\n`),
      bad,
      Buffer.from(`\n${JSON.stringify(record(3))}\n`),
    ]);
    const file = Buffer.concat([
      Buffer.from(`{"Records":[${JSON.stringify(record(1))},`),
      bad,
      Buffer.from(`,${JSON.stringify(record(3))}]}`),
    ]);
    for (const bytes of [ndjson, file, gzipSync(file)]) {
      const items = await streamed(bytes, 5);
      expect(summary(items)).toEqual(['record', 'reject:invalid_encoding', 'record']);
      const reject = items[1] as Extract<DecodedItem, { type: 'reject' }>;
      expect(Buffer.from(reject.raw, 'base64')).toEqual(bad);
      expect(reject.message).toContain('base64');
    }
    const pubsub = { message: { data: bad.toString('base64'), messageId: '1' } };
    expect(summary(decodeValue(pubsub))).toEqual(['reject:invalid_encoding']);
  });
});

describe('a gzip bomb (item 4)', () => {
  const limits: DecodeLimits = { ...DEFAULT_LIMITS, maxValueBytes: 1 << 20 };
  const MEMBER = 4 << 20;
  const MEMBERS = 256; // 1 GiB inflated
  // gzip members inflate back to back, so a bomb of any size costs one small deflate.
  const filler = gzipSync(Buffer.alloc(MEMBER, 'A'));
  const opening = gzipSync(
    Buffer.from(`{"Records":[${JSON.stringify(record(1))},{"eventVersion":"1.08","x":"`),
  );

  async function inflate(bomb: Buffer, bombLimits: DecodeLimits) {
    let inflated = 0;
    const items: DecodedItem[] = [];
    for await (const batch of decodeStream(chunks(bomb, 64 * 1024), bombLimits, (bytes) => {
      inflated += bytes;
    })) {
      items.push(...batch);
    }
    return { items, inflated };
  }

  it('stops inflating soon after a value outgrows the cap, with exactly one rejection', async () => {
    const bomb = Buffer.concat([opening, ...Array.from({ length: MEMBERS }, () => filler)]);
    // No ratio check here: this is the rule for a value that never ends.
    const { items, inflated } = await inflate(bomb, { ...limits, maxGzipRatio: Number.POSITIVE_INFINITY });
    expect(summary(items)).toEqual(['record', 'reject:too_large']);
    expect(items[1]).toMatchObject({
      position: { path: '/Records/1' },
      message: expect.stringContaining('not read'),
    });
    // Twice the value cap, plus the inflater's read-ahead: a few MiB of the 1 GiB.
    expect(inflated).toBeLessThanOrEqual(2 * limits.maxValueBytes + (2 << 20));
  });

  it('stops a bomb of whitespace between records by its compression ratio, with exactly one rejection', async () => {
    const spaces = gzipSync(Buffer.alloc(MEMBER, ' '));
    const head = gzipSync(Buffer.from(`{"Records":[${JSON.stringify(record(1))},`));
    const bomb = Buffer.concat([head, ...Array.from({ length: MEMBERS }, () => spaces)]);
    const { items, inflated } = await inflate(bomb, limits);
    expect(summary(items)).toEqual(['record', 'reject:too_large']);
    expect(items[1]).toMatchObject({ message: expect.stringContaining('gzip bomb') });
    expect(inflated).toBeLessThanOrEqual(limits.maxValueBytes + (2 << 20));
  });

  it('still reads the records after a value over the cap that does end', async () => {
    // Incompressible, as a real record's bytes are next to a bomb's: the ratio check lets it through.
    const big = JSON.stringify({ eventVersion: '1.08', blob: randomBytes(0.75 * (1 << 20)).toString('hex') });
    const file = Buffer.from(
      `{"Records":[${JSON.stringify(record(1))},${big},${JSON.stringify(record(3))}]}`,
    );
    const items = await streamed(gzipSync(file), 64 * 1024, limits);
    expect(summary(items)).toEqual(['record', 'reject:too_large', 'record']);
    expect(items[1]).toMatchObject({
      whole: { bytes: big.length, sha256: createHash('sha256').update(big).digest('hex') },
      position: { offset: file.indexOf(big) },
    });
    expect((items[1] as { raw: string }).raw).toBe(big.slice(0, 64 * 1024));
  });

  it('gives one rejection, not two, when the stream passes maxDecompressedBytes inside a value', async () => {
    const file = gzipSync(
      Buffer.from(
        `{"Records":[${JSON.stringify(record(1))},{"eventVersion":"1.08","x":"${'A'.repeat(300_000)}"}]}`,
      ),
    );
    const items = await streamed(file, 1000, { ...DEFAULT_LIMITS, maxDecompressedBytes: 200_000 });
    expect(summary(items)).toEqual(['record', 'reject:too_large']);
    expect(items[1]).toMatchObject({ message: expect.stringContaining('200000-byte limit') });
  });
});

describe('malformed values keep their bytes (item 5)', () => {
  it('keeps all of a broken value up to maxValueBytes, not a 4 KiB head', async () => {
    const cut = `{"eventVersion":"1.08","eventID":"x","blob":"${'y'.repeat(20_000)}`;
    const items = await streamed(Buffer.from(`{"Records":[${JSON.stringify(record(1))},${cut}`), 4096);
    expect(summary(items)).toEqual(['record', 'reject:truncated']);
    expect(items[1]).toMatchObject({ raw: cut, position: { offset: 13 + JSON.stringify(record(1)).length } });
    expect(items[1]).not.toHaveProperty('whole');
  });
});
