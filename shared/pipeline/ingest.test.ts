import type { AuditRecord } from '../core/normalize/audit-record.js';
import type { Row } from '../core/schema/row.js';
import type { DecodedItem } from '../sources/decoded-item.js';
import { IngestRun } from './ingest.js';
import type { EventStore, Rejection, WriteResult } from './ports.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };

/** A store that logs its calls. */
class LoggingStore implements Pick<EventStore, 'description' | 'preferredBatchRows'> {
  readonly description = 'logging';
  readonly preferredBatchRows = 2;
  readonly calls: string[] = [];

  async writeRows(rows: readonly Row[]): Promise<WriteResult> {
    this.calls.push(`rows ${rows.map((row) => row.event_id).join(',')}`);
    return { written: rows.length, duplicates: 0, refused: [] };
  }

  async writeQuarantine(rejections: readonly Rejection[]): Promise<void> {
    this.calls.push(`quarantine ${rejections.length}`);
  }
}

const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
const SUBJECT = 'repo:acme/api:ref:refs/heads/main';

function record(id: string): DecodedItem {
  const value = {
    eventVersion: '1.08',
    userIdentity: { type: 'WebIdentityUser', userName: SUBJECT, identityProvider: PROVIDER },
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    awsRegion: 'us-east-1',
    requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/deploy', roleSessionName: 'ci' },
    responseElements: {
      subjectFromWebIdentityToken: SUBJECT,
      audience: 'sts.amazonaws.com',
      provider: PROVIDER,
    },
    eventID: id,
    recipientAccountId: '111122223333',
  };
  return {
    type: 'record',
    record: { format: 'cloudtrail', value } as AuditRecord,
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
