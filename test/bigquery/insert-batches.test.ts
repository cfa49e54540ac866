import {
  INSERT_ALL_LIMITS,
  type InsertAllRow,
  insertAllRowBytes,
  planInsertAll,
} from '../../shared/adapters/bigquery/insert-batches.js';

const row = (id: number, padding = 0): InsertAllRow => ({
  insertId: `e${id}`,
  json: { event_id: `e${id}`, pad: 'x'.repeat(padding) },
});

describe('planInsertAll', () => {
  it('keeps order and puts at most 500 rows in a request', () => {
    const rows = Array.from({ length: 1201 }, (_, i) => row(i));
    const { batches, oversized } = planInsertAll(rows);
    expect(batches.map((batch) => batch.length)).toEqual([500, 500, 201]);
    expect(batches.flat()).toEqual(rows);
    expect(oversized).toEqual([]);
  });

  it('closes a request before its rows pass the byte budget', () => {
    const mb = 1024 * 1024;
    const rows = Array.from({ length: 7 }, (_, i) => row(i, 1.5 * mb));
    const { batches } = planInsertAll(rows);
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    for (const batch of batches) {
      const bytes = batch.reduce((sum, r) => sum + insertAllRowBytes(r), batch.length - 1);
      expect(bytes).toBeLessThanOrEqual(INSERT_ALL_LIMITS.maxRequestBytes);
    }
  });

  it('sets aside a row too large for any request, with the reason, and sends the rest', () => {
    const big = row(1, INSERT_ALL_LIMITS.maxRowBytes);
    const { batches, oversized } = planInsertAll([row(0), big, row(2)]);
    expect(batches).toEqual([[row(0), row(2)]]);
    expect(oversized).toEqual([
      {
        row: big,
        bytes: insertAllRowBytes(big),
        reason: expect.stringMatching(/bytes as JSON, over the \d+-byte limit/),
      },
    ]);
  });

  it('counts bytes on the UTF-8 JSON of the request row', () => {
    expect(insertAllRowBytes({ insertId: 'é', json: { a: '€' } })).toBe(
      Buffer.byteLength('{"insertId":"é","json":{"a":"€"}}'),
    );
  });

  it('honours custom limits exactly at the edge', () => {
    const one = insertAllRowBytes(row(0));
    const limits = { maxRows: 10, maxRequestBytes: one * 2 + 1, maxRowBytes: one };
    expect(planInsertAll([row(0), row(1), row(2)], limits).batches.map((b) => b.length)).toEqual([2, 1]);
    expect(planInsertAll([row(10)], limits).oversized).toHaveLength(1);
  });
});
