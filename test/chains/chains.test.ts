import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import { normalizeRecord } from '../../shared/core/normalize/normalize-record.js';
import { CHAIN_ROOTS_IN_WINDOW } from '../../shared/core/queries/detection-queries.js';
import { globToRegex } from '../../shared/core/queries/glob.js';
import { CHAIN, type NamedQuery, WHO_ACCESSED } from '../../shared/core/queries/named-queries.js';
import type { Row } from '../../shared/core/schema/row.js';
import { parseBigQuery } from '../helpers/bigquery-sql.js';
import { AWS_TO_GCP, ETL, GCP_TO_AWS, IDS, MAIN, SESSION_ARN } from './chain-fixtures.js';
import { AWS_POOL, type ChainRecord, federatedPrincipal, GITHUB_POOL } from './chain-records.js';

function rowsOf(records: readonly ChainRecord[]): Row[] {
  return records.map((record) => {
    const outcome = normalizeRecord(record);
    if (outcome.type !== 'row') throw new Error(`not a row: ${JSON.stringify(outcome)}`);
    return outcome.row;
  });
}

const DATASET = 'my-project.tokentrail';

/**
 * The BigQuery text of a named query, spelled for DuckDB so the bounded form runs on the same
 * rows: only the BigQuery-only spellings change (table names, TIMESTAMP_SUB, TIMESTAMP(@p),
 * REGEXP_CONTAINS, @p); the joins, windows and recursion are the text BigQuery gets.
 */
function bigQueryOnDuckDb(query: NamedQuery): NamedQuery {
  const text = query
    .bigquery(DATASET)
    .replaceAll(`\`${DATASET}.events_unique\``, 'events_unique')
    .replace(/TIMESTAMP_SUB\((TIMESTAMP\(@\w+\)), (INTERVAL \d+ HOUR)\)/g, '($1 - $2)')
    .replace(/TIMESTAMP\(@(\w+)\)/g, 'CAST($$$1 AS TIMESTAMPTZ)')
    .replaceAll('REGEXP_CONTAINS(', 'regexp_matches(')
    .replace(/@(\w+)/g, '$$$1');
  expect(text).not.toMatch(/`|TIMESTAMP_SUB|@/);
  return { ...query, duckdb: text };
}

const STORES = [
  ['DuckDB views', (query: NamedQuery) => query],
  ['the BigQuery bounded text', bigQueryOnDuckDb],
] as const;

let directory: string;
let store: DuckDbStore;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-chains-'));
  store = await DuckDbStore.open(join(directory, 'tokentrail.duckdb'));
  await store.writeRows(rowsOf([...AWS_TO_GCP, ...GCP_TO_AWS]));
});

afterEach(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

const WINDOW = { since: '2025-04-01T00:00:00.000000Z', until: '2025-06-01T00:00:00.000000Z' };
const run = (query: NamedQuery, patterns: Record<string, string>) =>
  store.query(query, {
    ...WINDOW,
    ...Object.fromEntries(Object.entries(patterns).map(([name, glob]) => [name, globToRegex(glob)])),
  });

describe('cross-cloud chains in the store', () => {
  it('gives each data access the root subject of its chain, and its own subject where nothing links', async () => {
    const access = await store.sql('SELECT object, subject, root_subject FROM access ORDER BY object');
    expect(access.rows).toEqual([
      { object: 'etl/late.parquet', subject: IDS.AWS_READER_ID, root_subject: IDS.AWS_READER_ID },
      { object: 'etl/main.parquet', subject: IDS.AWS_READER_ID, root_subject: ETL },
      { object: 'etl/other.parquet', subject: IDS.OTHER_ACCOUNT_ID, root_subject: IDS.OTHER_ACCOUNT_ID },
      { object: 'reports/fork.csv', subject: SESSION_ARN('pr-9999'), root_subject: SESSION_ARN('pr-9999') },
      { object: 'reports/main.csv', subject: SESSION_ARN('GitHubActions'), root_subject: MAIN },
      {
        object: 'reports/release.csv',
        subject: SESSION_ARN('release'),
        root_subject: SESSION_ARN('release'),
      },
    ]);
  });

  it.each(STORES)("gives detection each chained exchange's root subject (%s)", async (_name, spelled) => {
    const roots = await run(spelled(CHAIN_ROOTS_IN_WINDOW), {});
    const byAction = await store.sql(
      "SELECT event_id, action FROM events WHERE category IN ('token_exchange', 'impersonation')",
    );
    const actionOf = new Map(byAction.rows.map((row) => [row.event_id, row.action]));
    const found = roots.rows.map((row) => [actionOf.get(row.event_id as string), row.root_subject]);
    // The GCP exchange by the main branch's AWS session, and what the service accounts minted after it.
    expect(found).toContainEqual(['google.identity.sts.v1.SecurityTokenService.ExchangeToken', MAIN]);
    expect(found).toContainEqual(['AssumeRoleWithWebIdentity', ETL]);
    // The fork's session links to no exchange: what it minted goes back to the session, no further.
    expect(found.map(([, root]) => root)).toContain(SESSION_ARN('pr-9999'));
  });

  it('links each hop to the one that minted what it used, and nothing across the near misses', async () => {
    const links = await store.sql(`SELECT child.action AS child, parent.action AS parent, link
FROM chain_links
JOIN events AS child ON child.event_id = chain_links.event_id
JOIN events AS parent ON parent.event_id = chain_links.parent_event_id
ORDER BY child.event_time`);
    const exchange = 'google.identity.sts.v1.SecurityTokenService.ExchangeToken';
    expect(links.rows).toEqual([
      { child: exchange, parent: 'AssumeRoleWithWebIdentity', link: 'aws-session' },
      { child: 'GenerateAccessToken', parent: exchange, link: 'gcp-federated' },
      { child: 'storage.objects.get', parent: 'GenerateAccessToken', link: 'gcp-sa-token' },
      // the fork's exchange (session pr-9999) and the release exchange (after 15 minutes) link no further up
      { child: 'GenerateAccessToken', parent: exchange, link: 'gcp-federated' },
      { child: 'storage.objects.get', parent: 'GenerateAccessToken', link: 'gcp-sa-token' },
      { child: 'GenerateAccessToken', parent: exchange, link: 'gcp-federated' },
      { child: 'storage.objects.get', parent: 'GenerateAccessToken', link: 'gcp-sa-token' },
      { child: 'GenerateIdToken', parent: exchange, link: 'gcp-federated' },
      { child: 'AssumeRoleWithWebIdentity', parent: 'GenerateIdToken', link: 'gcp-id-token' },
      // another account's id, and aws-reader's id two hours after its ID token: no gcp-id-token link
    ]);
    // S3 reads are linked to the exchange that minted their key by events_attributed.minted_by.
    const minted = await store.sql(
      "SELECT event_id, minted_by FROM events_attributed WHERE action = 'GetObject' ORDER BY event_time",
    );
    expect(minted.rows).toEqual([
      { event_id: 'g2a-main-s3', minted_by: 'g2a-main-arwwi' },
      { event_id: 'g2a-other-s3', minted_by: 'g2a-other-arwwi' },
      { event_id: 'g2a-late-s3', minted_by: 'g2a-late-arwwi' },
    ]);
  });

  it.each(STORES)(
    'answers who-accessed with the root subject beside the immediate one (%s)',
    async (_name, as) => {
      const result = await run(as(WHO_ACCESSED), { bucket: '*' });
      expect(
        result.rows.map((row) => [row.bucket, row.root_subject, row.subject, row.principal, row.count]),
      ).toEqual([
        ['acme-data-exports', SESSION_ARN('pr-9999'), SESSION_ARN('pr-9999'), IDS.READER, 1],
        ['acme-data-exports', SESSION_ARN('release'), SESSION_ARN('release'), IDS.READER, 1],
        ['acme-data-exports', MAIN, SESSION_ARN('GitHubActions'), IDS.READER, 1],
        ['acme-lake', IDS.AWS_READER_ID, IDS.AWS_READER_ID, 'arn:aws:iam::111122223333:role/gcp-reader', 1],
        [
          'acme-lake',
          IDS.OTHER_ACCOUNT_ID,
          IDS.OTHER_ACCOUNT_ID,
          'arn:aws:iam::111122223333:role/gcp-reader',
          1,
        ],
        ['acme-lake', ETL, IDS.AWS_READER_ID, 'arn:aws:iam::111122223333:role/gcp-reader', 1],
      ]);
    },
  );

  it.each(STORES)('prints the AWS to GCP chain hop by hop from its root subject (%s)', async (_name, as) => {
    const result = await run(as(CHAIN), { subject: MAIN, bucket: '*' });
    expect(
      result.rows.map((row) => [row.hop, row.cloud, row.identity, row.action, row.subject, row.event_id]),
    ).toEqual([
      [
        1,
        'aws',
        'arn:aws:iam::111122223333:role/acme-api-deploy',
        'AssumeRoleWithWebIdentity',
        MAIN,
        'a2g-main-arwwi',
      ],
      [
        2,
        'gcp',
        federatedPrincipal(AWS_POOL, SESSION_ARN('GitHubActions')),
        'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
        SESSION_ARN('GitHubActions'),
        expect.stringMatching(/a2gmainsts\d+$/),
      ],
      [
        3,
        'gcp',
        IDS.READER,
        'GenerateAccessToken',
        SESSION_ARN('GitHubActions'),
        expect.stringMatching(/a2gmaingat\d+$/),
      ],
      [
        4,
        'gcp',
        'gs://acme-data-exports/reports/main.csv',
        'storage.objects.get',
        SESSION_ARN('GitHubActions'),
        expect.stringMatching(/a2gmaingcs\d+$/),
      ],
    ]);
    expect(new Set(result.rows.map((row) => row.root_subject))).toEqual(new Set([MAIN]));
    expect(new Set(result.rows.map((row) => row.chain))).toEqual(new Set([result.rows[3]!.event_id]));
  });

  it.each(STORES)(
    'prints the GCP to AWS chains of a bucket, near misses as short chains (%s)',
    async (_name, as) => {
      const result = await run(as(CHAIN), { subject: '*', bucket: 'acme-lake' });
      expect(result.rows.map((row) => [row.hop, row.cloud, row.identity, row.action, row.subject])).toEqual([
        [
          1,
          'gcp',
          federatedPrincipal(GITHUB_POOL, ETL),
          'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
          ETL,
        ],
        [2, 'gcp', IDS.AWS_READER, 'GenerateIdToken', ETL],
        [
          3,
          'aws',
          'arn:aws:iam::111122223333:role/gcp-reader',
          'AssumeRoleWithWebIdentity',
          IDS.AWS_READER_ID,
        ],
        [4, 'aws', 's3://acme-lake/etl/main.parquet', 'GetObject', null],
        [
          1,
          'aws',
          'arn:aws:iam::111122223333:role/gcp-reader',
          'AssumeRoleWithWebIdentity',
          IDS.OTHER_ACCOUNT_ID,
        ],
        [2, 'aws', 's3://acme-lake/etl/other.parquet', 'GetObject', null],
        [
          1,
          'aws',
          'arn:aws:iam::111122223333:role/gcp-reader',
          'AssumeRoleWithWebIdentity',
          IDS.AWS_READER_ID,
        ],
        [2, 'aws', 's3://acme-lake/etl/late.parquet', 'GetObject', null],
      ]);
      expect(result.rows.slice(0, 4).map((row) => row.root_subject)).toEqual([ETL, ETL, ETL, ETL]);
    },
  );

  it('sends BigQuery text that parses, for the views and both queries', () => {
    for (const query of [WHO_ACCESSED, CHAIN]) {
      expect(parseBigQuery(query.bigquery(DATASET)).statements).toHaveLength(1);
    }
  });
});
