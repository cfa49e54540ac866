import type { AuditRecord } from '../../shared/core/normalize/audit-record.js';
import type { Row } from '../../shared/core/schema/row.js';
import { IngestRun } from '../../shared/pipeline/ingest.js';
import type { EventStore, WriteResult } from '../../shared/pipeline/ports.js';
import type { DecodedItem } from '../../shared/sources/decoded-item.js';
import { assumeRoleWithWebIdentityRecord } from '../helpers/envelopes.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };

/** A store that logs the batches it is given. */
class LoggingStore implements Pick<EventStore, 'description' | 'preferredBatchRows'> {
  readonly description = 'logging';
  readonly preferredBatchRows = 2;
  readonly calls: string[] = [];

  async writeRows(rows: readonly Row[]): Promise<WriteResult> {
    this.calls.push(`rows ${rows.map((row) => row.event_id).join(',')}`);
    return { written: rows.length, duplicates: 0, refused: [] };
  }
}

function record(id: string): DecodedItem {
  return {
    type: 'record',
    record: { format: 'cloudtrail', value: assumeRoleWithWebIdentityRecord(id) } as AuditRecord,
    delivery: 'plain',
    position: { value: 0, path: `/${id}`, offset: 0 },
  };
}

async function ingest(store: LoggingStore, batches: readonly (readonly DecodedItem[])[]): Promise<IngestRun> {
  const run = new IngestRun(store as unknown as EventStore, clock);
  await run.consume('input', batches);
  await run.finish();
  return run;
}

describe('ingest into a store', () => {
  it('writes full batches as they fill, and what remains once the run finishes', async () => {
    const store = new LoggingStore();
    // Decoded batches of three records against the store's batches of two.
    const run = await ingest(store, [
      ['a', 'b', 'c'].map(record),
      ['d', 'e', 'f'].map(record),
      ['g'].map(record),
    ]);
    expect(store.calls).toEqual(['rows a,b', 'rows c,d', 'rows e,f', 'rows g']);
    expect(run.summary()).toMatchObject({ rows: 7, written: 7, duplicates: 0, quarantined: 0 });
  });
});
