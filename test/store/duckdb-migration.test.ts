import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import { duckDbCreateTable } from '../../shared/core/schema/duckdb-ddl.js';
import { EVENTS_TABLE, QUARANTINE_TABLE } from '../../shared/core/schema/tables.js';
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

describe('a DuckDB store whose quarantine table predates raw_bytes, raw_sha256 and raw_truncated', () => {
  it('gains them on open; old rows read null, new rows carry the length and hash of the whole record', async () => {
    const path = join(directory, 'old-quarantine.duckdb');
    const original = {
      ...QUARANTINE_TABLE,
      columns: QUARANTINE_TABLE.columns.filter((column) => !column.addedLater),
    };
    expect(original.columns.map((column) => column.name)).not.toContain('raw_bytes');
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(duckDbCreateTable(original));
    await connection.run(
      `INSERT INTO quarantine VALUES ('old-q', TIMESTAMPTZ '2026-11-01 10:00:00+00', 'old.json', 'plain',
               '{"value":0,"path":"","offset":0}', 'invalid_json', 'Unexpected token', '{"broken"')`,
    );
    connection.closeSync();
    instance.closeSync();

    const store = await DuckDbStore.open(path);
    try {
      const raw = `{"eventID": ${'9'.repeat(100_000)}`;
      await store.writeQuarantine(
        [
          {
            input: 'new.json',
            code: 'invalid_json',
            message: 'Unexpected end of JSON input',
            raw,
            delivery: 'plain',
            position: { value: 0, path: '', offset: 0 },
          },
        ],
        '2026-11-20T10:00:00.000000Z',
      );
      const result = await store.sql(
        'SELECT input, octet_length(raw::BLOB) AS kept, raw_bytes, raw_sha256, raw_truncated FROM quarantine ORDER BY input',
      );
      expect(result.rows).toEqual([
        {
          input: 'new.json',
          kept: 64 * 1024,
          raw_bytes: Buffer.byteLength(raw),
          raw_sha256: createHash('sha256').update(raw).digest('hex'),
          raw_truncated: true,
        },
        { input: 'old.json', kept: 9, raw_bytes: null, raw_sha256: null, raw_truncated: null },
      ]);
    } finally {
      await store.close();
    }
  });
});
