import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { asObject } from '../core/json-access.js';
import { CLOUDTRAIL_NORMALIZERS } from '../core/normalize/normalize-record.js';
import type { Row } from '../core/schema/row.js';
import { NormalizeRun } from '../pipeline/normalize.js';
import type { Rejection } from '../pipeline/ports.js';
import { DEFAULT_LIMITS, decodeStream } from './index.js';
import { JsonFramer } from './json-framer.js';
import { cloudTrailPrefilter, prefilterFor } from './prefilter.js';
import { PREFILTER_FIXTURES } from './prefilter-fixtures.js';

/** What the full path would make of one record's text: a normalizer's match, or why not. */
function fullVerdict(text: string): 'invalid' | 'not_an_object' | 'matched' | 'unmatched' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'invalid';
  }
  const record = asObject(value);
  if (!record) return 'not_an_object';
  return CLOUDTRAIL_NORMALIZERS.some((normalizer) => normalizer.matches(record)) ? 'matched' : 'unmatched';
}

interface Outcome {
  readonly rows: Row[];
  readonly rejections: Rejection[];
  readonly summary: ReturnType<NormalizeRun['summary']>;
}

/** A file's bytes through decodeStream (in chunks of `size`) and NormalizeRun, prefilter on or off. */
async function outcomeOf(
  bytes: Buffer,
  size: number,
  prefilter: boolean,
  maxValueBytes = DEFAULT_LIMITS.maxValueBytes,
): Promise<Outcome> {
  const rows: Row[] = [];
  const rejections: Rejection[] = [];
  const run = new NormalizeRun(
    { write: async (batch) => void rows.push(...batch) },
    { put: async (batch) => void rejections.push(...batch) },
  );
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
  }
  await run.consume('input', decodeStream(chunks(), { ...DEFAULT_LIMITS, maxValueBytes, prefilter }));
  return { rows, rejections, summary: run.summary() };
}

describe('the CloudTrail prefilter, on adversarial spellings', () => {
  it.each(PREFILTER_FIXTURES.map((fixture) => [fixture.description, fixture] as const))(
    '%s',
    async (_description, fixture) => {
      const verdict = cloudTrailPrefilter.isIrrelevant(Buffer.from(fixture.text)) ? 'skip' : 'parse';
      expect(verdict).toBe(fixture.prefilter);
      if (verdict === 'skip') expect(fullVerdict(fixture.text)).toBe('unmatched');

      // In 7-byte chunks a record spans chunks; in one chunk the prefilter also frames it.
      const file = Buffer.from(`{"Records":[${fixture.text}]}`);
      for (const bytes of [file, gzipSync(file)]) {
        for (const size of [7, 1 << 20]) {
          expect(await outcomeOf(bytes, size, true)).toEqual(await outcomeOf(bytes, size, false));
        }
      }
    },
  );
});

describe('the CloudTrail prefilter, soundness', () => {
  // Texts close to records: relevant names as keys and values, escapes, broken syntax.
  const token = fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    ' ',
    '\t',
    '\n',
    '"',
    '\\',
    '\\u0041',
    '\\"',
    '"eventName"',
    '"eventSource"',
    '"eventCategory"',
    '"AssumeRoleWithWebIdentity"',
    '"s3.amazonaws.com"',
    '"sts.amazonaws.com"',
    '"GetObject"',
    '"Data"',
    '"Decrypt"',
    '0',
    '-1.5e3',
    '01',
    'true',
    'null',
    'nul',
    '\u0001',
    'é',
  );
  const nearRecord = fc
    .array(token, { maxLength: 30 })
    .map((tokens) => `{"eventVersion":"1.08",${tokens.join('')}`);

  it('says irrelevant only of valid JSON objects that no CloudTrail normalizer matches', () => {
    let irrelevant = 0;
    fc.assert(
      fc.property(fc.oneof(nearRecord, fc.string(), fc.json()), (text) => {
        if (cloudTrailPrefilter.isIrrelevant(Buffer.from(text))) {
          irrelevant++;
          expect(fullVerdict(text)).toBe('unmatched');
        }
      }),
      { numRuns: 3000 },
    );
    // The implication above holds vacuously unless the generators reach the irrelevant case.
    expect(irrelevant).toBeGreaterThan(100);
  });

  it('says irrelevant of plain irrelevant records, whatever else they hold', () => {
    const object = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 });
    fc.assert(
      fc.property(object, fc.constantFrom('ec2.amazonaws.com', 'kms.amazonaws.com'), (extra, source) => {
        const record = { ...extra, eventSource: source, eventName: 'Describe' };
        const text = JSON.stringify(record);
        // An escaped key may spell a field name or a nested key a normalizer tests
        // (federatedProvider), and that key itself means a session call: such records are parsed.
        expect(cloudTrailPrefilter.isIrrelevant(Buffer.from(text))).toBe(!mustParse(record));
      }),
    );
  });
});

/** Whether any key, at any depth, is escaped in JSON or is `federatedProvider`. */
function mustParse(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(mustParse);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, inner]) => JSON.stringify(key).includes('\\') || key === 'federatedProvider' || mustParse(inner),
  );
}

describe('the CloudTrail prefilter on the examples and the public corpus', () => {
  const dirs = [
    join(__dirname, '../../examples/aws'),
    join(__dirname, '../../examples/gcp'),
    join(__dirname, '../../../shared/corpus'),
  ];
  const files = dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)))
    .filter((path) => /\.(json|gz|ndjson|txt)$/.test(path));

  it.each(files)('%s: same rows, rejections and counts with the prefilter on and off', async (path) => {
    const bytes = readFileSync(path);
    expect(await outcomeOf(bytes, 64, true)).toEqual(await outcomeOf(bytes, 64, false));
    // A lone record as a CloudTrail file's element too.
    const file = Buffer.from(`{"Records":[${bytes.toString('utf8')}]}`);
    expect(await outcomeOf(file, 64, true)).toEqual(await outcomeOf(file, 64, false));
  });
});

/**
 * The prefilter's evidence: for arbitrary CloudTrail files, decodeStream + NormalizeRun give the
 * same rows, rejections and skip counts with the prefilter on and off. Records are relevant and
 * irrelevant, keys come in any order (and twice), strings are written with \u escapes (partly or
 * wholly), relevant names sit inside other fields, whitespace varies, and some records are then
 * broken by one edit (so invalid JSON and framing trouble are covered too).
 */

const RELEVANT_NAMES = ['AssumeRoleWithWebIdentity', 'GetObject', 'PutObject', 'ListObjectsV2'];
const OTHER_NAMES = [
  'GetBucketAcl',
  'ListBuckets',
  'Decrypt',
  'DescribeInstances',
  'AssumeRole',
  'GetParameter',
];
const SOURCES = [
  'sts.amazonaws.com',
  's3.amazonaws.com',
  'ec2.amazonaws.com',
  'kms.amazonaws.com',
  'S3.amazonaws.com',
];
const name = fc.constantFrom(...RELEVANT_NAMES, ...OTHER_NAMES);
const anyValue = fc.jsonValue({ maxDepth: 2 });

const field: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(
    fc.constant('eventSource'),
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...SOURCES) }, anyValue),
  ),
  fc.tuple(fc.constant('eventName'), fc.oneof({ weight: 5, arbitrary: name }, anyValue)),
  fc.tuple(fc.constant('eventCategory'), fc.oneof(fc.constantFrom('Data', 'Management'), anyValue)),
  fc.tuple(fc.constant('eventID'), fc.oneof({ weight: 4, arbitrary: fc.uuid() }, anyValue)),
  fc.tuple(
    fc.constant('eventTime'),
    fc.constantFrom('2025-11-03T10:00:00Z', '2025-11-03T10:00:00.123Z', 'yesterday', ''),
  ),
  fc.tuple(
    fc.constant('userAgent'),
    fc.oneof(
      name.map((n) => `aws-cli ${n} s3.amazonaws.com`),
      fc.string(),
    ),
  ),
  fc.tuple(
    fc.constant('requestParameters'),
    fc.record({ eventName: name, eventSource: fc.constantFrom(...SOURCES), bucketName: fc.string() }),
  ),
  fc.tuple(fc.constantFrom('awsRegion', 'recipientAccountId', 'errorCode', 'sourceIPAddress'), anyValue),
  // Objects that open as a record does, inside a record: `,{"eventVersion"` is then no record's end.
  fc.tuple(
    fc.constant('resources'),
    fc.array(fc.record({ eventVersion: fc.constant('1.08'), eventSource: fc.constantFrom(...SOURCES) }), {
      maxLength: 3,
    }),
  ),
  fc.tuple(fc.string({ maxLength: 8 }), anyValue),
);

type Entry = [string, unknown];
const recordFields = fc
  .tuple(
    fc.constantFrom<Entry[]>(
      [],
      [
        ['eventSource', 'sts.amazonaws.com'],
        ['eventName', 'AssumeRoleWithWebIdentity'],
      ],
      [
        ['eventSource', 's3.amazonaws.com'],
        ['eventName', 'GetObject'],
      ],
      [
        ['eventSource', 's3.amazonaws.com'],
        ['eventName', 'GetBucketAcl'],
        ['eventCategory', 'Management'],
      ],
    ),
    fc.array(field, { maxLength: 8 }),
  )
  .chain(([base, extra]) =>
    fc.shuffledSubarray<Entry>([['eventVersion', '1.08'], ...base, ...extra], { minLength: 0 }),
  );

/** How a record is written: which strings are escaped and what whitespace sits between tokens. */
interface Spelling {
  readonly escape: 'none' | 'some' | 'all';
  readonly upperHex: boolean;
  readonly space: string;
}
const spelling: fc.Arbitrary<Spelling> = fc.record({
  escape: fc.constantFrom('none', 'none', 'some', 'all'),
  upperHex: fc.boolean(),
  space: fc.constantFrom('', '', ' ', '\n', '\t', ' \r\n '),
});

function writeString(text: string, how: Spelling, pick: () => number): string {
  if (how.escape === 'none') return JSON.stringify(text);
  let out = '"';
  for (const char of text) {
    const code = char.charCodeAt(0);
    const escaped = how.escape === 'all' || pick() < 0.3;
    if (escaped && char.length === 1) {
      const hex = code.toString(16).padStart(4, '0');
      out += `\\u${how.upperHex ? hex.toUpperCase() : hex}`;
    } else out += JSON.stringify(char).slice(1, -1);
  }
  return `${out}"`;
}

function write(value: unknown, how: Spelling, pick: () => number): string {
  const s = how.space;
  if (typeof value === 'string') return writeString(value, how, pick);
  if (Array.isArray(value)) return `[${s}${value.map((v) => write(v, how, pick)).join(`${s},${s}`)}${s}]`;
  if (value !== null && typeof value === 'object') {
    return writeObject(Object.entries(value), how, pick);
  }
  return JSON.stringify(value);
}

function writeObject(entries: [string, unknown][], how: Spelling, pick: () => number): string {
  const s = how.space;
  const members = entries.map(([k, v]) => `${writeString(k, how, pick)}${s}:${s}${write(v, how, pick)}`);
  return `{${s}${members.join(`${s},${s}`)}${s}}`;
}

/** One edit that may break a record: a byte deleted, or one of JSON's own (or a byte that is not UTF-8) inserted. */
const edit = fc.option(
  fc.record({
    at: fc.nat(),
    insert: fc
      .constantFrom('', '"', '\\', ',', '}', '{', ']', '0', '\u0001', '\t', 'u', '\\u00', 'NOT_UTF8')
      .map((text) => (text === 'NOT_UTF8' ? Buffer.from([0xff]) : Buffer.from(text))),
  }),
  { freq: 3 },
);

const record = fc
  .tuple(
    recordFields,
    spelling,
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 }),
    edit,
  )
  .map(([entries, how, draws, change]) => {
    let k = 0;
    const pick = () => draws[k++ % draws.length]!;
    const bytes = Buffer.from(writeObject(entries, how, pick));
    if (!change) return bytes;
    const at = change.at % (bytes.length + 1);
    const rest = bytes.subarray(change.insert.length === 0 ? at + 1 : at);
    return Buffer.concat([bytes.subarray(0, at), change.insert, rest]);
  });

describe('prefilter on and off give the same results', () => {
  it('for arbitrary CloudTrail files, plain or gzip, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom(DEFAULT_LIMITS.maxValueBytes, 300),
        fc.constantFrom(',', ',', ' , ', ',\n'),
        async (records, gzip, size, maxValueBytes, separator) => {
          const separated = records.flatMap((r, i) => (i === 0 ? [r] : [Buffer.from(separator), r]));
          const text = Buffer.concat([Buffer.from('{"Records":['), ...separated, Buffer.from(']}')]);
          const bytes = gzip ? gzipSync(text) : text;
          expect(await outcomeOf(bytes, size, true, maxValueBytes)).toEqual(
            await outcomeOf(bytes, size, false, maxValueBytes),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('frames a relevant record where the next one opens only when that is where it ends', async () => {
    const relevant = (rest: string) =>
      `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2025-11-03T10:00:00Z",${rest}}`;
    const deep = `"requestParameters":${'['.repeat(1100)}${']'.repeat(1100)},"eventID":"d"`;
    const cases = [
      relevant(`"eventID":"a"`),
      relevant(`"eventID":"b" `), // a space before the comma
      relevant(`"resources":[{"eventVersion":"1.08"},{"eventVersion":"1.08"}],"eventID":"c"`),
      relevant(deep), // nests past the cap after the prefilter stopped reading
      relevant(`"eventID":"e",}`), // invalid after the prefilter stopped reading
      relevant(`"eventID":"f"`),
    ];
    const bytes = Buffer.from(`{"Records":[${cases.join(',')}]}`);
    const on = await outcomeOf(bytes, 1 << 20, true);
    expect(on).toEqual(await outcomeOf(bytes, 1 << 20, false));
    expect(on.rows.map((row) => row.event_id)).toEqual(['a', 'b', 'c']);
    expect(on.rejections.slice(0, 2).map((r) => [r.position.path, r.code])).toEqual([
      ['/Records/3', 'too_large'],
      ['/Records/4', 'invalid_json'],
    ]);
  });

  it('parses a relevant record once, as the prefilter frames it (the fast path is taken)', () => {
    const relevant = (id: string) =>
      `{"eventVersion":"1.08","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","eventID":"${id}"}`;
    const framer = new JsonFramer({ maxValueBytes: 1 << 20, prefilter: cloudTrailPrefilter });
    const frames = framer.push(Buffer.from(`{"Records":[${relevant('a')},${relevant('b')}]}`));
    frames.push(...framer.end());
    // The last record has no next one to end at: the scan frames it.
    expect(frames.map((frame) => frame.type === 'value' && frame.parsed !== undefined)).toEqual([
      true,
      false,
    ]);
  });

  it('skips most well-formed irrelevant records unparsed (the property above is not vacuous)', async () => {
    const irrelevant = `{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt","eventID":"x"}`;
    const bytes = Buffer.from(`{"Records":[${[irrelevant, irrelevant].join(',')}]}`);
    const on = await outcomeOf(bytes, 1000, true);
    expect(on.summary.skippedBy).toEqual({ not_federation: 2 });
  });
});

describe('a prefilter for any relevance description', () => {
  it('keeps a record that fails no clause even when no field names a value (a clause of absences)', () => {
    const prefilter = prefilterFor({
      anyOf: [[{ field: 'eventSource', oneOf: ['x.example'], orAbsent: true }]],
    });
    expect(prefilter.isIrrelevant(Buffer.from('{"eventName":"A"}'))).toBe(false);
    expect(prefilter.isIrrelevant(Buffer.from('{"eventSource":"y.example"}'))).toBe(true);
    expect(prefilter.isIrrelevant(Buffer.from('{"eventSource":"x.example"}'))).toBe(false);
  });
});
