import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import { duckDbCreateTable } from '../../shared/core/schema/duckdb-ddl.js';
import { EVENTS_TABLE } from '../../shared/core/schema/tables.js';
import { mintRow } from '../helpers/rows.js';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-migration-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('a DuckDB store made before a column was added', () => {
  it('gains the column on open and keeps loading rows, old and new', async () => {
    const path = join(directory, 'old.duckdb');
    const original = {
      ...EVENTS_TABLE,
      columns: EVENTS_TABLE.columns.filter((column) => !column.addedLater),
    };
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(duckDbCreateTable(original));
    await connection.run(
      `INSERT INTO events (event_id, event_time, cloud, source, action, category, outcome, raw)
       VALUES ('old-1', TIMESTAMPTZ '2026-11-01 10:00:00+00', 'aws', 'sts.amazonaws.com',
               'AssumeRoleWithWebIdentity', 'token_exchange', 'success', '{}')`,
    );
    connection.closeSync();
    instance.closeSync();

    const store = await DuckDbStore.open(path);
    try {
      const grant = [{ action: 'ADD', role: 'roles/iam.workloadIdentityUser', member: 'principalSet://x/*' }];
      const row = {
        ...mintRow('new-1', '2026-11-20T10:00:00.000000Z', 'ASIA1', 'repo:acme/api:ref:refs/heads/main'),
      };
      expect(await store.writeRows([{ ...row, binding_deltas: grant }])).toMatchObject({ written: 1 });
      const result = await store.sql('SELECT event_id, binding_deltas FROM events ORDER BY event_id');
      expect(result.rows.map((cells) => cells.event_id)).toEqual(['new-1', 'old-1']);
      expect(JSON.parse(String(result.rows[0]!.binding_deltas))).toEqual(grant);
      expect(result.rows[1]!.binding_deltas).toBeNull();
    } finally {
      await store.close();
    }
  });
});
