import fc from 'fast-check';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import { mintRow } from '../helpers/rows.js';

/**
 * However records are split into batches, repeated within a batch or across batches, committed
 * between batches or not, the store keeps one row per event (event_id and event_time), the last
 * record written of each, and its counts add up.
 */

const MAIN = 'repo:acme/payments-api:ref:refs/heads/main';
const TIMES = ['2026-11-20T10:00:00.000000Z', '2026-11-20T10:00:00.000001Z', '2026-11-21T10:00:00.000000Z'];

const record = fc.record({
  id: fc.constantFrom('m1', 'm2', 'm3', 'm\n1', '2026-11-20T10:00:00.000000Z'),
  time: fc.constantFrom(...TIMES),
  accessKey: fc.constantFrom('ASIA1', 'ASIA2', 'ASIA3'),
});
const batch = fc.array(record, { maxLength: 8 });
const step = fc.record({ batch, commitAfter: fc.boolean() });

describe('the DuckDB store, whatever the batches', () => {
  it('keeps one row per (event_id, event_time), the last one written, with counts that add up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 6 }), async (steps) => {
        const store = await DuckDbStore.open(':memory:');
        try {
          const expected = new Map<string, string>();
          let written = 0;
          for (const { batch, commitAfter } of steps) {
            const before = new Set(expected.keys());
            const rows = batch.map(({ id, time, accessKey }) => mintRow(id, time, accessKey, MAIN));
            const result = await store.writeRows(rows);
            expect(result.written + result.duplicates).toBe(rows.length);
            written += result.written;
            for (const { id, time, accessKey } of batch) {
              const event = JSON.stringify([id, time]);
              // A stored event keeps its row; within a batch the last record of a new event wins.
              if (!before.has(event)) expected.set(event, accessKey);
            }
            if (commitAfter) await store.commit();
          }
          await store.commit();
          const stored = await store.sql('SELECT event_id, event_time, credential_id FROM events');
          const actual = new Map(
            stored.rows.map((row) => [JSON.stringify([row.event_id, row.event_time]), row.credential_id]),
          );
          expect(actual).toEqual(expected);
          expect(written).toBe(expected.size);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
