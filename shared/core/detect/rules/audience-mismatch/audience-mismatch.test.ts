import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { celConditionJudge } from '../../../identity/gcp-attribute-condition.js';
import { networkJudge } from '../../../network/network-judge.js';
import { newRow } from '../../../normalize/build-row.js';
import type { Row } from '../../../schema/row.js';
import type { Policy } from '../../policy.js';
import { audienceMismatch } from './audience-mismatch.js';

function fixture(name: string): { policy: Policy; rows: Row[] } {
  const { policy, rows } = JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as {
    policy: Policy;
    rows: Partial<Row>[];
  };
  const base = newRow({
    event_id: 'e',
    event_time: '2026-11-20T00:00:00.000000Z',
    cloud: 'aws',
    source: 'sts.amazonaws.com',
    action: 'AssumeRoleWithWebIdentity',
    category: 'token_exchange',
    outcome: 'success',
    error_code: null,
    error_message: null,
    source_ip: null,
    user_agent: null,
    account: null,
    region: null,
    raw: {},
  });
  return { policy, rows: rows.map((partial) => ({ ...base, ...partial })) };
}

const context = (policy: Policy) => ({
  policy,
  baseline: {
    principalSubjects: new Set<string>(),
    subjectBuckets: new Set<string>(),
    historyStart: null,
    windowStart: '2026-11-20T00:00:00.000000Z',
  },
  conditions: celConditionJudge,
  network: networkJudge(undefined),
});

describe('audience-mismatch', () => {
  it('shows what a refused GCP exchange logs: the provider, the audience the token presented, the caller', () => {
    const { policy, rows } = fixture('gcp-audience-does-not-match');
    const [finding] = audienceMismatch.evaluate(rows, context(policy));
    expect(finding).toMatchObject({
      principal: null,
      subject: null,
      identity_provider:
        'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-acme',
      audience: 'https://github.com/acme',
      source_ip: '192.0.2.68',
      title:
        'A token exchange at provider github-acme (pool github) was refused: wrong audience; caller google-github-actions:auth/2.1.7',
    });
  });

  it('keeps the STS audience when the message does not quote the token, and caps a long user agent', () => {
    const { policy, rows } = fixture('gcp-audience-does-not-match');
    const [finding] = audienceMismatch.evaluate(
      [
        {
          ...rows[0]!,
          error_message: 'The audience in JWT does not match the expected values',
          identity_provider: null,
          user_agent: `x${'y'.repeat(200)}`,
        },
      ],
      context(policy),
    );
    expect(finding!.audience).toBe(rows[0]!.audience);
    expect(finding!.title).toMatch(
      /^A token exchange at an identity provider was refused: wrong audience; caller xy+…$/,
    );
    expect(finding!.title.length).toBeLessThan(150);
  });

  it('names the principal when the log has one (AWS), keeping the audience it recovered', () => {
    const { policy, rows } = fixture('aws-incorrect-token-audience');
    const [finding] = audienceMismatch.evaluate(rows, context(policy));
    expect(finding).toMatchObject({
      principal: 'arn:aws:iam::111122223333:role/github-deploy',
      audience: 'https://github.com/acme',
      title: 'A token exchange for arn:aws:iam::111122223333:role/github-deploy was refused: wrong audience',
    });
  });
});
