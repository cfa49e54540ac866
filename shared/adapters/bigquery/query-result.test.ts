import { BigQuery } from '@google-cloud/bigquery';
import fc from 'fast-check';
import { parseTimestamp } from '../../core/time/timestamp.js';
import { INT64_CAST, int64Of, queryResultOf, type TableField } from './query-result.js';

/** A row in the wire format, as jobs.query and getQueryResults send it. */
interface WireRow {
  readonly f: readonly { readonly v: unknown }[];
}

/** Wire rows parsed by the client as the store has it parse them, then into the store's answer. */
const resultOf = (fields: TableField[], rows: WireRow[]) =>
  queryResultOf(
    fields,
    BigQuery.mergeSchemaWithRows_(
      { fields } as never,
      rows as never,
      {
        wrapIntegers: INT64_CAST,
        parseJSON: false,
        listParams: { 'formatOptions.useInt64Timestamp': true },
      } as never,
    ),
  );

/** One row of one column, from the wire format. */
const cellOf = (field: TableField, v: unknown) => resultOf([field], [{ f: [{ v }] }]).rows[0]![field.name!];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/**
 * 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z. BigQuery's range starts at year 0001, but
 * the client (8.3.1) reads a negative microsecond count with a fraction a second off (-1 gives
 * 1970-01-01T00:00:00.999999Z): audit events are never that old (decisions 0010).
 */
const TIMESTAMP_MIN = 0n;
const TIMESTAMP_MAX = 253_402_300_799_999_999n;

const floorDiv = (a: bigint, b: bigint) => a / b - (a % b < 0n ? 1n : 0n);

describe('INT64', () => {
  it('is a number while exact, else its decimal text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (value) => {
        const text = String(value);
        const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
        expect(cellOf({ name: 'n', type: 'INT64' }, text)).toEqual(safe ? Number(value) : text);
        expect(cellOf({ name: 'n', type: 'INTEGER' }, text)).toEqual(int64Of(text));
      }),
    );
    expect(int64Of('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(int64Of('9007199254740992')).toBe('9007199254740992');
    expect(int64Of('-9223372036854775808')).toBe('-9223372036854775808');
  });
});

describe('TIMESTAMP', () => {
  it('turns int64 microseconds into canonical UTC text, never rounding', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: TIMESTAMP_MIN, max: TIMESTAMP_MAX }), (micros) => {
        const text = String(cellOf({ name: 't', type: 'TIMESTAMP' }, String(micros)));
        const millis = new Date(Number(floorDiv(micros, 1000n))).toISOString().slice(0, 23);
        const rest = String(micros - floorDiv(micros, 1000n) * 1000n).padStart(3, '0');
        expect(text).toBe(`${millis}${rest}Z`);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
        if (text >= '1000') expect(parseTimestamp(text)).toBe(text);
      }),
    );
  });

  it.each([
    ['0', '1970-01-01T00:00:00.000000Z'],
    ['-1000000', '1969-12-31T23:59:59.000000Z'],
    ['1795169100123456', '2026-11-20T10:05:00.123456Z'],
    [String(TIMESTAMP_MAX), '9999-12-31T23:59:59.999999Z'],
  ])('%s -> %s', (wire, expected) => {
    expect(cellOf({ name: 't', type: 'TIMESTAMP' }, wire)).toBe(expected);
  });
});

describe('the other types', () => {
  it.each([
    ['FLOAT64', '1.5', 1.5],
    ['FLOAT', '-2.0E-5', -0.00002],
    ['FLOAT64', 'NaN', Number.NaN],
    ['FLOAT64', 'Infinity', Number.POSITIVE_INFINITY],
    ['FLOAT64', '-Infinity', Number.NEGATIVE_INFINITY],
    ['BOOL', 'true', true],
    ['BOOLEAN', 'false', false],
    ['BOOLEAN', 'TRUE', true],
    ['STRING', 'repo:acme/app', 'repo:acme/app'],
    ['JSON', '{"a":[1,2]}', '{"a":[1,2]}'],
    ['NUMERIC', '123.456', '123.456'],
    ['BIGNUMERIC', '-0.00000000000000000000000000000000000001', '-0.00000000000000000000000000000000000001'],
    ['DATE', '2026-11-20', '2026-11-20'],
    ['DATETIME', '2026-11-20T10:05:00.123456', '2026-11-20T10:05:00.123456'],
    ['TIME', '10:05:00', '10:05:00'],
    ['GEOGRAPHY', 'POINT(1 2)', 'POINT(1 2)'],
    ['BYTES', 'AAEC/w==', 'AAEC/w=='],
  ])('%s %s', (type, wire, expected) => {
    expect(cellOf({ name: 'c', type }, wire)).toEqual(expected);
  });

  it('gives null for NULL of every type', () => {
    for (const type of ['INT64', 'FLOAT64', 'BOOL', 'TIMESTAMP', 'STRING', 'JSON', 'BYTES', 'RECORD']) {
      expect(cellOf({ name: 'c', type, fields: [] }, null)).toBeNull();
    }
  });

  it('gives REPEATED columns as arrays of converted values', () => {
    const cell = (type: string, values: string[]) =>
      cellOf(
        { name: 'a', type, mode: 'REPEATED' },
        values.map((v) => ({ v })),
      );
    expect(cell('STRING', ['GetObject', 'PutObject'])).toEqual(['GetObject', 'PutObject']);
    expect(cell('INT64', ['1', '9007199254740993'])).toEqual([1, '9007199254740993']);
    expect(cell('TIMESTAMP', ['0'])).toEqual(['1970-01-01T00:00:00.000000Z']);
    expect(cell('STRING', [])).toEqual([]);
  });

  it('gives a STRUCT, and an array of them, as JSON text with converted members', () => {
    const record: TableField = {
      name: 'r',
      type: 'RECORD',
      fields: [
        { name: 'n', type: 'INTEGER' },
        { name: 'at', type: 'TIMESTAMP' },
        { name: 'tags', type: 'STRING', mode: 'REPEATED' },
        { name: 'inner', type: 'RECORD', fields: [{ name: 'ok', type: 'BOOL' }] },
        { name: 'missing', type: 'STRING' },
      ],
    };
    const wire: WireRow = {
      f: [
        { v: '7' },
        { v: '1795169100123456' },
        { v: [{ v: 'x' }] },
        { v: { f: [{ v: 'true' }] } },
        { v: null },
      ],
    };
    const plain = {
      n: 7,
      at: '2026-11-20T10:05:00.123456Z',
      tags: ['x'],
      inner: { ok: true },
      missing: null,
    };
    expect(cellOf(record, wire)).toBe(JSON.stringify(plain));
    expect(cellOf({ ...record, mode: 'REPEATED' }, [{ v: wire }, { v: wire }])).toBe(
      JSON.stringify([plain, plain]),
    );
  });
});

describe('queryResultOf', () => {
  it('gives the columns in schema order, also with no rows', () => {
    const fields = [
      { name: 'b', type: 'STRING' },
      { name: 'a', type: 'INT64' },
    ];
    expect(resultOf(fields, [])).toEqual({ columns: ['b', 'a'], rows: [] });
    expect(resultOf(fields, [{ f: [{ v: 'x' }, { v: '1' }] }])).toEqual({
      columns: ['b', 'a'],
      rows: [{ b: 'x', a: 1 }],
    });
  });
});
