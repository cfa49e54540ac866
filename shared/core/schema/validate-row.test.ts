import { COLUMN_NAMES } from './columns.js';
import type { Row } from './row.js';
import { isRow, rowProblems } from './validate-row.js';

const valid: Row = {
  event_id: 'ef0464cd-918e-4528-9ea3-1a081d39b393',
  event_time: '2025-04-16T02:46:56.000000Z',
  cloud: 'aws',
  source: 'sts.amazonaws.com',
  action: 'AssumeRoleWithWebIdentity',
  category: 'token_exchange',
  outcome: 'success',
  error_code: null,
  error_message: null,
  principal: 'arn:aws:iam::111122223333:role/deploy',
  subject: 'repo:acme/api:ref:refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
  identity_provider: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
  audience: 'sts.amazonaws.com',
  resource: 'arn:aws:iam::111122223333:role/deploy',
  bucket: null,
  object: null,
  credential_id: 'ASIAEXAMPLEEXAMPLE01',
  credential_expiration: '2025-04-16T03:46:56.000000Z',
  session_name: 'GitHubActions',
  caller: null,
  source_ip: '198.51.100.7',
  user_agent: 'aws-sdk-nodejs/2.1112.0',
  account: '111122223333',
  region: 'us-east-1',
  raw: { eventID: 'ef0464cd-918e-4528-9ea3-1a081d39b393' },
  binding_deltas: null,
  trust: null,
  minted_identity: 'arn:aws:sts::111122223333:assumed-role/deploy/GitHubActions',
};

describe('rowProblems', () => {
  it('accepts a complete row', () => {
    expect(rowProblems(valid)).toEqual([]);
    expect(isRow(valid)).toBe(true);
    expect(Object.keys(valid)).toEqual(COLUMN_NAMES);
  });

  it.each([
    [{ event_id: null }, 'event_id is required'],
    [{ raw: undefined }, 'raw is required'],
    [{ cloud: 'azure' }, 'cloud must be one of aws, gcp'],
    [
      { category: 'login' },
      'category must be one of token_exchange, impersonation, data_access, trust_change, credential_use',
    ],
    [
      { event_time: '2025-04-16T02:46:56Z' },
      'event_time must be a UTC timestamp like 2025-01-02T03:04:05.000000Z',
    ],
    [
      { credential_expiration: 'Apr 16, 2025, 3:46:56 AM' },
      'credential_expiration must be a UTC timestamp like 2025-01-02T03:04:05.000000Z',
    ],
    [{ subject: 42 }, 'subject must be a string'],
    [{ extra: 'x' }, 'unknown column extra'],
  ])('names what is wrong with %j', (change, problem) => {
    const candidate = { ...valid, ...change };
    expect(rowProblems(candidate)).toEqual([problem]);
    expect(isRow(candidate)).toBe(false);
  });

  it('rejects what is not an object', () => {
    expect(rowProblems(null)).toEqual(['a row must be an object']);
    expect(rowProblems([valid])).toEqual(['a row must be an object']);
  });
});
