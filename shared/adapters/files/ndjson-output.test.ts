import { Writable } from 'node:stream';
import fc from 'fast-check';
import { newRow } from '../../core/normalize/build-row.js';
import { COLUMNS } from '../../core/schema/columns.js';
import type { Row } from '../../core/schema/row.js';
import { NdjsonRowSink, serializeRowWithoutRaw, stringifyWithoutRaw } from './ndjson-output.js';

/** Strings JSON must escape or may not: quotes, backslashes, controls, lone and paired surrogates, U+2028. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u2028',
      '\ud800',
      '\udc00',
      'a',
      'é',
    ),
  }),
  fc.constantFrom('', 'aws', '\ud83d\ude00', '\ud83d', 'a"b', 'x\\y', '</script>'),
);

/** Any value a column could hold, and some no column should (the serializer must still match). */
const columnValue = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.jsonValue() },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 0, -0, Number.NaN, true) },
);

/** A row in column order, as newRow builds every row, with arbitrary values and an arbitrary raw. */
const anyRow = fc
  .tuple(fc.array(columnValue, { minLength: COLUMNS.length, maxLength: COLUMNS.length }), fc.jsonValue())
  .map(([values, raw]) => {
    const row: Record<string, unknown> = {};
    COLUMNS.forEach((column, index) => {
      row[column.name] = column.name === 'raw' ? raw : values[index];
    });
    return row as Row;
  });

describe('serializeRowWithoutRaw', () => {
  it('writes the same text as JSON.stringify of the row without raw, for arbitrary rows', () => {
    fc.assert(
      fc.property(anyRow, (row) => {
        const raw = row.raw;
        const expected = stringifyWithoutRaw(row);
        expect(serializeRowWithoutRaw(row)).toBe(expected);
        expect(row.raw).toBe(raw);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches JSON.stringify row after row when values repeat from one row to the next (its cache)', () => {
    const repeating = fc.constantFrom<string | null>(null, 'aws', 'a"b', '\ud800', 'us-east-1', '');
    const rowOf = (values: (string | null)[]) => {
      const row: Record<string, unknown> = {};
      COLUMNS.forEach((column, index) => {
        row[column.name] = column.name === 'raw' ? {} : values[index];
      });
      return row as Row;
    };
    fc.assert(
      fc.property(
        fc.array(fc.array(repeating, { minLength: COLUMNS.length, maxLength: COLUMNS.length }).map(rowOf)),
        (rows) => {
          for (const row of rows) expect(serializeRowWithoutRaw(row)).toBe(stringifyWithoutRaw(row));
        },
      ),
    );
  });

  it('serializes in the order newRow builds rows, which is column order', () => {
    const row = newRow({
      event_id: 'e',
      event_time: '2025-01-01T00:00:00.000000Z',
      cloud: 'aws',
      source: 's',
      action: 'a',
      category: 'data_access',
      outcome: 'success',
      error_code: null,
      error_message: null,
      source_ip: null,
      user_agent: null,
      account: null,
      region: null,
      raw: { eventID: 'e' },
    });
    expect(Object.keys(row)).toEqual(COLUMNS.map((column) => column.name));
    expect(serializeRowWithoutRaw(row)).toBe(stringifyWithoutRaw(row));
  });

  it('NdjsonRowSink writes one serialized row a line, with raw only when asked', async () => {
    const rows = fc.sample(anyRow, { numRuns: 20, seed: 12 });
    for (const includeRaw of [false, true]) {
      let text = '';
      const stream = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          text += chunk.toString('utf8');
          callback();
        },
      });
      await new NdjsonRowSink(stream, includeRaw).write(rows);
      const expected = rows
        .map((row) => `${includeRaw ? JSON.stringify(row) : stringifyWithoutRaw(row)}\n`)
        .join('');
      expect(text).toBe(expected);
    }
  });
});
