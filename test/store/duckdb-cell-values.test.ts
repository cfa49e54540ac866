import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import type { Row } from '../../shared/core/schema/row.js';
import { mintRow } from '../helpers/rows.js';

/**
 * Whatever a cell holds, it must come back as written: separators, quotes, backslashes, NUL,
 * characters outside the BMP, text that looks like JSON; a lone surrogate, which UTF-8 cannot
 * spell, comes back as U+FFFD.
 */

let directory: string;
let store: DuckDbStore;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-cells-'));
  store = await DuckDbStore.open(join(directory, 'tokentrail.duckdb'));
});

afterAll(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

const awkward = fc.constantFrom(
  '\u0000',
  '\u001e',
  '\u001f',
  '"',
  '\\',
  '\\u0041',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  '\u2028',
  "'",
  '[',
  'null',
);
const cell = fc.string({
  unit: fc.oneof(awkward, fc.string({ unit: 'binary', maxLength: 1 })),
  maxLength: 12,
});
const nullableCell = fc.option(cell, { nil: null });
// JSON columns hold objects (a string there is taken as JSON text already, as before).
const jsonObject = fc.option(fc.dictionary(cell, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }), {
  nil: null,
});

/** The text with each lone surrogate replaced, as `String.prototype.toWellFormed` does (ES2024). */
function wellFormed(text: string | null): string | null {
  return text?.replace(/\p{Cs}/gu, '\ufffd') ?? null;
}

const TEXT_COLUMNS = ['subject', 'session_name', 'user_agent', 'error_message', 'source_ip'] as const;

describe('rows written to the DuckDB store', () => {
  let run = 0;

  it('come back cell for cell, lone surrogates as U+FFFD', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            subject: cell,
            session_name: nullableCell,
            user_agent: cell,
            error_message: nullableCell,
            source_ip: nullableCell,
            trust: jsonObject,
            rawText: fc.option(fc.json({ maxDepth: 2 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (cells) => {
          run += 1;
          const rows: Row[] = cells.map((value, i) =>
            mintRow(`run${run}-${i}`, '2026-11-20T10:00:00.000000Z', null, value.subject, {
              session_name: value.session_name,
              user_agent: value.user_agent,
              error_message: value.error_message,
              source_ip: value.source_ip,
              trust: value.trust as Row['trust'],
            }),
          );
          await store.writeRows(
            rows,
            cells.map((value) => value.rawText),
          );
          const stored = await store.sql(
            `SELECT ${TEXT_COLUMNS.join(', ')}, trust::VARCHAR AS trust, raw::VARCHAR AS raw FROM events WHERE event_id LIKE 'run${run}-%' ORDER BY event_id`,
          );
          // Ids `runN-0` to `runN-5` sort as they were written.
          const expected = rows.map((row, i) => ({
            ...Object.fromEntries(TEXT_COLUMNS.map((name) => [name, wellFormed(row[name] as string | null)])),
            trust: row.trust === null ? null : JSON.stringify(row.trust),
            raw: cells[i]!.rawText ?? JSON.stringify(row.raw),
          }));
          expect(stored.rows).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
