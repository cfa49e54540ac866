import { DuckDBInstance } from '@duckdb/node-api';
import { bigQuerySchema } from '../../shared/core/schema/bigquery-schema.js';
import { COLUMNS } from '../../shared/core/schema/columns.js';
import { duckDbCreateTable } from '../../shared/core/schema/duckdb-ddl.js';
import { QUARANTINE_TABLE, TABLES } from '../../shared/core/schema/tables.js';

describe('the DuckDB DDL derived from the row definition', () => {
  it('creates a table a real DuckDB accepts, with every column, type and nullability', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(duckDbCreateTable());
    await connection.run(duckDbCreateTable()); // idempotent

    const described = await connection.runAndReadAll('DESCRIBE events');
    const columns = described.getRowObjectsJson().map((row) => [row.column_name, row.column_type, row.null]);
    expect(columns).toEqual(
      COLUMNS.map((column) => [
        column.name,
        { string: 'VARCHAR', timestamp: 'TIMESTAMP WITH TIME ZONE', json: 'JSON' }[column.type],
        column.required ? 'NO' : 'YES',
      ]),
    );

    await connection.run("SET TimeZone = 'UTC'");
    const insert = `INSERT INTO events (event_id, event_time, cloud, source, action, category, outcome, raw)
      VALUES ('e1', '2025-04-16T02:46:56.123456Z', 'aws', 'sts.amazonaws.com', 'AssumeRoleWithWebIdentity', 'token_exchange', 'success', '{"a":1}')`;
    await connection.run(insert);
    const stored = await connection.runAndReadAll(
      "SELECT strftime(event_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS t FROM events",
    );
    expect(stored.getRowObjectsJson()).toEqual([{ t: '2025-04-16T02:46:56.123456Z' }]);
    connection.closeSync();
  });
});

describe('the primary keys of the DuckDB DDL', () => {
  it('declares one only where the table asks for it: alerts, not the tables ingest loads in bulk', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const table of TABLES) await connection.run(duckDbCreateTable(table));
    const keys = await connection.runAndReadAll(
      "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'",
    );
    expect(keys.getRowObjectsJson()).toEqual([
      { table_name: 'alerts', constraint_column_names: ['alert_id'] },
    ]);
    expect(TABLES.filter((table) => table.duckDbPrimaryKey).map((table) => table.name)).toEqual(['alerts']);
    connection.closeSync();
    instance.closeSync();
  });
});

describe('the DuckDB DDL of the quarantine table', () => {
  it('types the length, hash and truncation flag of a rejected record, nullable for older rows', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(duckDbCreateTable(QUARANTINE_TABLE));
    const described = await connection.runAndReadAll('DESCRIBE quarantine');
    const columns = described.getRowObjectsJson().map((row) => [row.column_name, row.column_type, row.null]);
    expect(columns.slice(-4)).toEqual([
      ['raw', 'VARCHAR', 'NO'],
      ['raw_bytes', 'BIGINT', 'YES'],
      ['raw_sha256', 'VARCHAR', 'YES'],
      ['raw_truncated', 'BOOLEAN', 'YES'],
    ]);
    connection.closeSync();
    instance.closeSync();
  });
});

describe('the BigQuery schema derived from the row definition', () => {
  it('maps every column with its mode', () => {
    expect(bigQuerySchema().map(({ name, type, mode }) => `${name}:${type}:${mode}`)).toEqual(
      COLUMNS.map(
        (c) =>
          `${c.name}:${{ string: 'STRING', timestamp: 'TIMESTAMP', json: 'JSON' }[c.type]}:${c.required ? 'REQUIRED' : 'NULLABLE'}`,
      ),
    );
  });
});

describe('the BigQuery schema of the quarantine table', () => {
  it('adds raw_bytes INT64, raw_sha256 STRING and raw_truncated BOOL, nullable, after the original columns', () => {
    expect(
      bigQuerySchema(QUARANTINE_TABLE)
        .map(({ name, type, mode }) => `${name}:${type}:${mode}`)
        .slice(-3),
    ).toEqual(['raw_bytes:INT64:NULLABLE', 'raw_sha256:STRING:NULLABLE', 'raw_truncated:BOOL:NULLABLE']);
  });
});
