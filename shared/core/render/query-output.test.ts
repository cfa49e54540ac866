import fc from 'fast-check';
import type { QueryCell, QueryResult } from '../queries/query-result.js';
import { layoutTable, narrowestTable, renderCsv, renderNdjson, renderTable } from './query-output.js';
import { hasNothingInvisible, terminalSafe } from './terminal-safe.js';

const RESULT: QueryResult = {
  columns: ['bucket', 'subject', 'actions', 'count', 'first_seen'],
  rows: [
    {
      bucket: 'acme-prod-assets',
      subject: 'repo:acme/web:ref:refs/heads/main',
      actions: ['GetObject', 'PutObject'],
      count: 120,
      first_seen: '2026-11-15T09:01:02.123456Z',
    },
    {
      bucket: 'acme-ml',
      subject: null,
      actions: ['storage.objects.get'],
      count: 7,
      first_seen: '2026-11-16T00:00:00.000000Z',
    },
  ],
};

/** A tiny RFC 4180 reader, enough to read back what renderCsv writes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += char;
  }
  return records;
}

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers, shows null as - and times to the second', () => {
    expect(renderTable(RESULT)).toBe(
      [
        'BUCKET            SUBJECT                            ACTIONS              COUNT  FIRST SEEN',
        'acme-prod-assets  repo:acme/web:ref:refs/heads/main  GetObject,PutObject    120  2026-11-15 09:01:02',
        'acme-ml           -                                  storage.objects.get      7  2026-11-16 00:00:00',
        '',
      ].join('\n'),
    );
  });

  it('never lets a cell put a control, bidi or zero-width character on the terminal', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 4 }), (subjects) => {
        const table = renderTable({ columns: ['subject'], rows: subjects.map((subject) => ({ subject })) });
        expect(table.replaceAll('\n', '')).not.toMatch(
          // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the test
          /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u,
        );
        expect(table.split('\n')).toHaveLength(subjects.length + 2);
      }),
    );
  });
});

/** Column start offsets, in code points, from a heading line whose headings hold no space. */
function columnStarts(heading: string): number[] {
  const chars = [...heading];
  return chars.flatMap((char, index) =>
    char !== ' ' && (index === 0 || chars[index - 1] === ' ') ? [index] : [],
  );
}

describe('renderTable fitted to a width', () => {
  it('cuts the widest cells in the middle, keeps short columns whole, and says it cut', () => {
    const table = layoutTable(RESULT, { width: 80 });
    expect(table.cut).toBe(true);
    expect(table.text).toBe(
      [
        'BUCKET            SUBJECT            ACTIONS            COUNT  FIRST SEEN',
        'acme-prod-assets  repo:acm…ads/main  GetObjec…utObject    120  2026-11-…09:01:02',
        'acme-ml           -                  storage.…ects.get      7  2026-11-…00:00:00',
        '',
      ].join('\n'),
    );
    expect(layoutTable(RESULT, { width: 400 })).toEqual({ text: renderTable(RESULT), cut: false });
    expect(layoutTable(RESULT, { width: null })).toEqual({ text: renderTable(RESULT), cut: false });
  });

  it('cuts a column no narrower than its own minimum (an id whose start alerts ack takes)', () => {
    const ids = {
      columns: ['rule', 'alert_id'],
      rows: [{ rule: 'weak-trust', alert_id: 'ab12cd'.repeat(10) }],
    };
    expect(narrowestTable(ids, { minimums: { alert_id: 13 } })).toBe(23);
    const line = layoutTable(ids, { width: 10, minimums: { alert_id: 13 } }).text.split('\n')[1];
    expect(line).toBe('wea…rust  ab12cd…ab12cd');
  });

  const name = fc.stringMatching(/^[a-z]{1,10}$/);
  // No whitespace in cells, so a column's text is where its heading starts, up to its padding.
  const cell = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }).map((text) => text.replace(/\s/gu, '_')),
    fc.constant(null),
  );
  const tables = fc.uniqueArray(name, { minLength: 1, maxLength: 6 }).chain((columns) =>
    fc.record({
      columns: fc.constant(columns),
      rows: fc
        .array(fc.tuple(...columns.map(() => cell)), { maxLength: 5 })
        .map((rows) =>
          rows.map((cells) => Object.fromEntries(columns.map((column, index) => [column, cells[index]!]))),
        ),
    }),
  );

  it('fits every line into any width from the narrowest up; a cell that fits is whole, a cut one keeps both ends', () => {
    fc.assert(
      fc.property(tables, fc.nat({ max: 200 }), (result: QueryResult, extra) => {
        const width = narrowestTable(result) + extra;
        const { text, cut } = layoutTable(result, { width });
        const lines = text.split('\n').slice(0, -1);
        for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
        const starts = columnStarts(lines[0]!);
        expect(starts).toHaveLength(result.columns.length);
        let anyCut = false;
        result.rows.forEach((row, rowIndex) => {
          const chars = [...lines[rowIndex + 1]!];
          result.columns.forEach((column, index) => {
            const end = index + 1 < starts.length ? starts[index + 1]! - 2 : Math.max(width, chars.length);
            const shown = chars.slice(starts[index], end).join('').trimEnd();
            const whole = row[column] === null ? '-' : terminalSafe(String(row[column]));
            const wholeChars = [...whole];
            if (wholeChars.length <= end - starts[index]!) {
              expect(shown).toBe(whole);
              return;
            }
            anyCut = true;
            const shownChars = [...shown];
            expect(shownChars).toHaveLength(end - starts[index]!);
            const ellipsis = shownChars.indexOf('…');
            expect(ellipsis).toBeGreaterThan(0);
            expect(ellipsis).toBeLessThan(shownChars.length - 1);
            expect(shownChars.slice(0, ellipsis)).toEqual(wholeChars.slice(0, ellipsis));
            const tail = shownChars.length - 1 - ellipsis;
            expect(shownChars.slice(ellipsis + 1)).toEqual(wholeChars.slice(wholeChars.length - tail));
          });
        });
        if (anyCut) expect(cut).toBe(true);
      }),
    );
  });
});

describe('renderTable with many rows', () => {
  it('renders 200,000 rows (spreading them into Math.max overflowed the call stack)', () => {
    const rows = Array.from({ length: 200_000 }, (_, index) => ({ bucket: `b${index}`, count: index }));
    const table = renderTable({ columns: ['bucket', 'count'], rows });
    const lines = table.split('\n');
    expect(lines).toHaveLength(200_002);
    expect(lines[0]).toBe('BUCKET    COUNT');
    expect(lines[200_000]).toBe('b199999  199999');
  });
});

describe('terminalSafe', () => {
  it('shows an ANSI escape and a bidi override as visible escapes', () => {
    expect(terminalSafe('main\u001b[31m\u202e')).toBe('main\\u001b[31m\\u202e');
  });
});

describe('renderNdjson', () => {
  it('writes one object per row with the columns in order', () => {
    const lines = renderNdjson(RESULT).trimEnd().split('\n');
    expect(lines.map((line) => Object.keys(JSON.parse(line)))).toEqual([RESULT.columns, RESULT.columns]);
    expect(JSON.parse(lines[1]!).subject).toBeNull();
  });

  it('escapes bidi, zero-width and other invisible characters, and parses back to the exact values', () => {
    const line = renderNdjson({
      columns: ['subject'],
      rows: [{ subject: 'repo:a/b\u202e\u200b\u0085\u{e0041}x' }],
    });
    expect(line).toBe('{"subject":"repo:a/b\\u202e\\u200b\\u0085\\udb40\\udc41x"}\n');
  });

  it('puts no invisible character on a terminal and parses back to the exact rows, whatever the text', () => {
    const cell = fc.oneof(fc.string({ unit: 'binary' }), fc.constant(null), fc.integer());
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }))),
        (pairs) => {
          const rows = pairs.map(([subject, actions]) => ({ subject, actions }));
          const text = renderNdjson({ columns: ['subject', 'actions'], rows });
          expect(hasNothingInvisible(text.replaceAll('\n', ''))).toBe(true);
          const lines = text.split('\n').slice(0, -1);
          expect(lines.map((line) => JSON.parse(line))).toEqual(rows);
        },
      ),
    );
  });
});

describe('renderCsv', () => {
  it('reads back to the same cells, with formula-looking text made inert', () => {
    const cell = fc.oneof(fc.string({ unit: 'binary' }), fc.constant(null), fc.integer({ min: 0 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell), { maxLength: 5 }), (pairs) => {
        const result: QueryResult = {
          columns: ['a', 'b'],
          rows: pairs.map(([a, b]) => ({ a, b }) as Record<string, QueryCell>),
        };
        const expected = (value: QueryCell) => {
          if (value === null) return '';
          const text = String(value);
          return typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
        };
        expect(parseCsv(renderCsv(result))).toEqual([
          ['a', 'b'],
          ...pairs.map(([a, b]) => [expected(a), expected(b)]),
        ]);
      }),
    );
  });

  it('joins lists with commas inside one quoted cell', () => {
    expect(renderCsv(RESULT).split('\r\n')[1]).toBe(
      'acme-prod-assets,repo:acme/web:ref:refs/heads/main,"GetObject,PutObject",120,2026-11-15T09:01:02.123456Z',
    );
  });
});
