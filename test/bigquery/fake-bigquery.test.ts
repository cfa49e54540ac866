import { FakeBigQuery } from '../helpers/fake-bigquery.js';

interface InsertAllAnswer {
  readonly kind: string;
  readonly insertErrors: { readonly errors: { readonly reason: string; readonly location: string }[] }[];
}

const insertAll = (fake: FakeBigQuery, rows: unknown[]): Promise<InsertAllAnswer> =>
  fetch(`${fake.endpoint}/bigquery/v2/projects/p/datasets/d/tables/events/insertAll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ skipInvalidRows: false, rows }),
  }).then((response) => response.json() as Promise<InsertAllAnswer>);

const json = {
  event_id: 'e1',
  event_time: '2026-11-20T10:05:00.123456Z',
  cloud: 'gcp',
  source: 'storage.googleapis.com',
  action: 'storage.objects.get',
  category: 'data_access',
  outcome: 'success',
  raw: '{"insertId":"x"}',
};

describe('the fake BigQuery insertAll', () => {
  let fake: FakeBigQuery;
  beforeEach(async () => {
    fake = await FakeBigQuery.start();
  });
  afterEach(() => fake.close());

  it('accepts a JSON column as a string of JSON text', async () => {
    await expect(insertAll(fake, [{ insertId: 'e1', json }])).resolves.toEqual({
      kind: 'bigquery#tableDataInsertAllResponse',
    });
    expect(fake.stored('events')).toEqual([json]);
  });

  it('refuses a JSON column sent as an object or as text that is not JSON, stopping the other rows', async () => {
    const rows = [
      { insertId: 'e1', json },
      { insertId: 'e2', json: { ...json, raw: { insertId: 'x' } } },
      { insertId: 'e3', json: { ...json, raw: '{not json' } },
    ];
    const answer = await insertAll(fake, rows);
    expect(answer.insertErrors.map((e) => e.errors[0]!.reason)).toEqual(['stopped', 'invalid', 'invalid']);
    expect(answer.insertErrors[1]!.errors[0]).toMatchObject({ location: 'raw' });
    expect(fake.stored('events')).toEqual([]);
  });

  it('answers 404 for a table tokentrail does not define', async () => {
    const response = await fetch(`${fake.endpoint}/bigquery/v2/projects/p/datasets/d/tables/nope/insertAll`, {
      method: 'POST',
      body: '{"rows":[]}',
    });
    expect(response.status).toBe(404);
  });
});
