import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../json-access.js';
import { COLUMN_NAMES } from '../schema/columns.js';
import { rowProblems } from '../schema/validate-row.js';
import { normalizeRecord } from './normalize-record.js';

/**
 * Hand-written fixtures, one JSON file per case under fixtures/<kind>/. Every expected row is
 * written from the spec (events.md and the column descriptions), never copied from output.
 */
type Expected =
  | { readonly type: 'row'; readonly row: JsonObject }
  | { readonly type: 'skip'; readonly reason: string }
  | { readonly type: 'reject'; readonly code: string };

interface Fixture {
  readonly description: string;
  readonly format: 'cloudtrail' | 'logentry';
  readonly record: JsonObject;
  readonly expected: Expected;
}

interface Case {
  readonly name: string;
  readonly fixture: Fixture;
}

const FIXTURES_DIR = join(__dirname, 'fixtures');

/** Folder -> the normalizer kind its rows come from; `null` for the folder of records to skip. */
const KINDS: Readonly<Record<string, string | null>> = {
  'aws-assume-role-with-web-identity': 'aws.sts.AssumeRoleWithWebIdentity',
  'aws-s3-data-event': 'aws.s3.DataEvent',
  'aws-iam-trust-change': 'aws.iam.TrustChange',
  'aws-federated-session-call': 'aws.FederatedSessionCall',
  'gcp-sts-exchange-token': 'gcp.sts.ExchangeToken',
  'gcp-iamcredentials-token': 'gcp.iamcredentials.GenerateAccessToken',
  'gcp-storage-data-access': 'gcp.storage.DataAccess',
  'gcp-iam-set-iam-policy': 'gcp.iam.SetIamPolicy',
  'gcp-iam-pool-provider-change': 'gcp.iam.WorkloadIdentityPoolProviderChange',
  'gcp-direct-federated-grant': 'gcp.iam.DirectFederatedGrant',
  skipped: null,
};

const ROW_COLUMNS = COLUMN_NAMES.filter((name) => name !== 'raw').sort();

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseFixture(file: string): Fixture {
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isObject(value)) throw new Error(`${file}: not a JSON object`);
  const { description, format, record, expected } = value;
  if (typeof description !== 'string' || description === '') throw new Error(`${file}: no description`);
  if (format !== 'cloudtrail' && format !== 'logentry') throw new Error(`${file}: bad format`);
  if (!isObject(record)) throw new Error(`${file}: record must be an object`);
  if (!isObject(expected)) throw new Error(`${file}: expected must be an object`);
  const ok =
    (expected.type === 'row' && isObject(expected.row)) ||
    (expected.type === 'skip' && typeof expected.reason === 'string') ||
    (expected.type === 'reject' && typeof expected.code === 'string');
  if (!ok) throw new Error(`${file}: expected must be a row, skip or reject`);
  return { description, format, record, expected: expected as unknown as Expected };
}

function loadCases(folder: string): Case[] {
  const dir = join(FIXTURES_DIR, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ name: file.replace(/\.json$/, ''), fixture: parseFixture(join(dir, file)) }));
}

function rowOutcomes(cases: readonly Case[]): unknown[] {
  return cases.flatMap(({ fixture: { expected } }) =>
    expected.type === 'row' ? [expected.row.outcome] : [],
  );
}

it('has exactly one fixture folder per event kind, plus skipped', () => {
  const folders = readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  expect(folders).toEqual(Object.keys(KINDS).sort());
});

describe.each(Object.entries(KINDS))('%s', (folder, kind) => {
  const cases = loadCases(folder);

  if (kind === null) {
    it('holds only records that must be skipped', () => {
      expect(cases.length).toBeGreaterThan(0);
      expect(cases.map(({ fixture }) => fixture.expected.type)).toEqual(cases.map(() => 'skip'));
    });
  } else {
    it('has a success row, a failure row and a reject case', () => {
      expect(rowOutcomes(cases)).toContain('success');
      expect(rowOutcomes(cases)).toContain('failure');
      expect(cases.some(({ fixture }) => fixture.expected.type === 'reject')).toBe(true);
    });
  }

  it.each(cases)('$name', ({ fixture }) => {
    const { format, record, expected } = fixture;

    const outcome = normalizeRecord({ format, value: structuredClone(record) });

    switch (expected.type) {
      case 'row': {
        expect(Object.keys(expected.row).sort()).toEqual(ROW_COLUMNS);
        expect(outcome).toStrictEqual({ type: 'row', kind, row: { ...expected.row, raw: record } });
        if (outcome.type === 'row') expect(rowProblems(outcome.row)).toEqual([]);
        break;
      }
      case 'skip':
        expect(outcome).toStrictEqual({ type: 'skip', reason: expected.reason });
        break;
      case 'reject':
        expect(outcome).toMatchObject({ type: 'reject', code: expected.code });
        break;
    }
  });
});
