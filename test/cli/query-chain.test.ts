import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AWS_TO_GCP, ETL, GCP_TO_AWS, IDS, MAIN, SESSION_ARN } from '../chains/chain-fixtures.js';
import { AWS_POOL, federatedPrincipal } from '../chains/chain-records.js';
import { runCli } from '../helpers/cli-harness.js';

const NOW = new Date('2025-05-07T00:00:00Z');
const RECORDS = [...AWS_TO_GCP, ...GCP_TO_AWS];

let directory: string;
let store: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-chain-cli-'));
  store = join(directory, 'store.duckdb');
  // A CloudTrail file and a Log Router export, as the two clouds deliver them.
  const trail = RECORDS.filter((record) => record.format === 'cloudtrail').map((record) => record.value);
  const entries = RECORDS.filter((record) => record.format === 'logentry').map((record) => record.value);
  writeFileSync(join(directory, 'trail.json'), JSON.stringify({ Records: trail }));
  writeFileSync(join(directory, 'gcp.ndjson'), entries.map((entry) => JSON.stringify(entry)).join('\n'));
  const ingested = await runCli(
    ['ingest', '--store', store, '--json', join(directory, 'trail.json'), join(directory, 'gcp.ndjson')],
    { now: NOW },
  );
  expect(ingested.rows[0]).toMatchObject({ written: RECORDS.length, quarantined: 0 });
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

const chain = (...args: string[]) =>
  runCli(['query', 'chain', '--since', '2025-04-01', '--store', store, ...args], { now: NOW });

describe('tokentrail query chain', () => {
  it('prints the AWS to GCP chain of a root subject, hop by hop, as a table with a caption', async () => {
    const result = await chain('--subject', MAIN);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `chain subject ${MAIN} bucket *, 2025-04-01 00:00 to 2025-05-07 00:00 UTC, duckdb:${store}`,
    );
    expect(lines[2]).toMatch(
      /^HOP +CLOUD +IDENTITY +ACTION +SUBJECT +EVENT ID +EVENT TIME +ROOT SUBJECT +CHAIN$/,
    );
    const hops = lines.slice(3);
    expect(hops).toHaveLength(4);
    expect(hops[0]).toContain('arn:aws:iam::111122223333:role/acme-api-deploy');
    expect(hops[1]).toContain(federatedPrincipal(AWS_POOL, SESSION_ARN('GitHubActions')));
    expect(hops[2]).toContain(IDS.READER);
    expect(hops[3]).toContain('gs://acme-data-exports/reports/main.csv');
  });

  it('gives exact values with --json and a header with --csv', async () => {
    const json = await chain('--bucket', 'acme-lake', '--json');
    expect(json.code).toBe(0);
    expect(Object.keys(json.rows[0]!)).toEqual([
      'hop',
      'cloud',
      'identity',
      'action',
      'subject',
      'event_id',
      'event_time',
      'root_subject',
      'chain',
    ]);
    expect(json.rows.map((row) => [row.hop, row.action, row.root_subject])).toEqual([
      [1, 'google.identity.sts.v1.SecurityTokenService.ExchangeToken', ETL],
      [2, 'GenerateIdToken', ETL],
      [3, 'AssumeRoleWithWebIdentity', ETL],
      [4, 'GetObject', ETL],
      [1, 'AssumeRoleWithWebIdentity', IDS.OTHER_ACCOUNT_ID],
      [2, 'GetObject', IDS.OTHER_ACCOUNT_ID],
      [1, 'AssumeRoleWithWebIdentity', IDS.AWS_READER_ID],
      [2, 'GetObject', IDS.AWS_READER_ID],
    ]);
    expect(json.rows[3]).toMatchObject({
      chain: 'g2a-main-s3',
      event_id: 'g2a-main-s3',
      identity: 's3://acme-lake/etl/main.parquet',
    });

    const csv = await chain('--bucket', 'acme-lake', '--subject', ETL, '--csv');
    const csvLines = csv.stdout.split('\r\n');
    expect(csvLines[0]).toBe('hop,cloud,identity,action,subject,event_id,event_time,root_subject,chain');
    expect(csvLines.filter((line) => line !== '')).toHaveLength(5);
  });

  it('says so when nothing matches, and refuses to run without --subject or --bucket', async () => {
    const none = await chain('--subject', 'repo:nobody/*');
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/^nothing found: chain subject repo:nobody\/\* bucket \*/);

    const bare = await chain();
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('query chain needs --subject GLOB, --bucket GLOB or both');
  });
});
