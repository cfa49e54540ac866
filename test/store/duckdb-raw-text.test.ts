import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { federationRecord, seededRandom } from '../../bench/synthetic-cloudtrail.js';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import type { Row } from '../../shared/core/schema/row.js';
import { IngestRun } from '../../shared/pipeline/ingest.js';
import { NormalizeRun } from '../../shared/pipeline/normalize.js';
import type { RawTexts } from '../../shared/pipeline/ports.js';
import { decodeStream } from '../../shared/sources/decode-stream.js';
import { mintRow } from '../helpers/rows.js';

const MAIN = 'repo:acme/payments-api:ref:refs/heads/main';
const CORPUS = resolve(__dirname, '../../../shared/corpus');

let directory: string;
let store: DuckDbStore;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-raw-text-'));
  store = await DuckDbStore.open(join(directory, 'tokentrail.duckdb'));
});

afterEach(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

async function storedRaw(): Promise<Map<string, string>> {
  const result = await store.sql('SELECT event_id, CAST(raw AS VARCHAR) AS raw FROM events');
  return new Map(result.rows.map((row) => [row.event_id as string, row.raw as string]));
}

describe('raw kept from the record text', () => {
  it('stores the text given for a row and serializes raw for a row without one', async () => {
    const withText = mintRow('m1', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN, {
      raw: { eventID: 'm1', b: [1, 2] },
    });
    const without = mintRow('m2', '2026-11-20T10:00:01.000000Z', 'ASIA2', MAIN);
    await store.writeRows([withText, without], ['{"eventID":"m1","b":[1,2]}', undefined]);
    const raw = await storedRaw();
    expect(JSON.parse(raw.get('m1')!)).toEqual({ eventID: 'm1', b: [1, 2] });
    expect(raw.get('m1')).toBe('{"eventID":"m1","b":[1,2]}');
    expect(JSON.parse(raw.get('m2')!)).toEqual(without.raw);
  });

  it('stores a record text as it was logged, spaces and number spellings included', async () => {
    const text = '{ "eventID": "m3",\n  "n": 1.50, "big": 12345678901234567890 }';
    const row = mintRow('m3', '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN, { raw: JSON.parse(text) });
    await store.writeRows([row], [text]);
    expect((await storedRaw()).get('m3')).toBe(text);
    const read = await store.sql("SELECT raw->>'$.eventID' AS id, json_valid(raw) AS valid FROM events");
    expect(read.rows).toEqual([{ id: 'm3', valid: true }]);
  });

  it('keeps each text with its own row when some rows are duplicates or already stored', async () => {
    const row = (id: string) =>
      mintRow(id, '2026-11-20T10:00:00.000000Z', 'ASIA1', MAIN, { raw: { eventID: id } });
    const text = (id: string) => JSON.stringify({ eventID: id });
    await store.writeRows([row('a'), row('c')], [text('a'), text('c')]);
    const result = await store.writeRows(
      [row('a'), row('b'), row('c'), row('d'), row('b')],
      [text('a'), text('b'), text('c'), text('d'), text('b')],
    );
    expect(result).toEqual({ written: 2, duplicates: 3, refused: [] });
    const raw = await storedRaw();
    for (const id of ['a', 'b', 'c', 'd']) expect(JSON.parse(raw.get(id)!)).toEqual({ eventID: id });
  });
});

/** Inputs in the shapes the framer gives text for (Records elements, NDJSON lines) and others. */
function inputs(): { name: string; bytes: Buffer }[] {
  const random = seededRandom(3);
  const start = Date.parse('2026-11-01T00:00:00Z');
  const records = Array.from({ length: 300 }, (_, i) => federationRecord(random, new Date(start + i * 1000)));
  const found = [
    { name: 'trail.json.gz', bytes: gzipSync(JSON.stringify({ Records: records }, null, 1)) },
    { name: 'records.ndjson', bytes: Buffer.from(records.map((r) => JSON.stringify(r)).join('\n')) },
  ];
  if (existsSync(CORPUS)) {
    for (const file of readdirSync(CORPUS).sort()) {
      if (file !== 'PROVENANCE.md') found.push({ name: file, bytes: readFileSync(join(CORPUS, file)) });
    }
  }
  return found;
}

describe('ingest into DuckDB with the record text as raw', () => {
  it('stores, for every row of every input, the same raw as normalize gives', async () => {
    const expected = new Map<string, unknown>();
    const normalize = new NormalizeRun(
      {
        write: async (rows: readonly Row[]) => {
          for (const row of rows) expected.set(row.event_id, row.raw);
        },
      },
      { put: async () => {} },
    );
    let texts = 0;
    const writeRows = store.writeRows.bind(store);
    store.writeRows = (rows: readonly Row[], rawTexts?: RawTexts) => {
      texts += rawTexts?.filter((text) => text !== undefined).length ?? 0;
      return writeRows(rows, rawTexts);
    };
    const ingest = new IngestRun(store, { now: () => new Date('2026-12-01T00:00:00Z') });
    for (const { name, bytes } of inputs()) {
      await normalize.consume(name, decodeStream(Readable.from([bytes])));
      await ingest.consume(name, decodeStream(Readable.from([bytes])));
    }
    await ingest.finish();

    const raw = await storedRaw();
    expect(raw.size).toBe(expected.size);
    for (const [id, value] of expected) expect(JSON.parse(raw.get(id)!)).toEqual(value);
    expect(texts).toBeGreaterThanOrEqual(300);
  });
});
