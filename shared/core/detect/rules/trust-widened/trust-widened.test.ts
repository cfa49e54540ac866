import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRow } from '../../../normalize/build-row.js';
import type { Row } from '../../../schema/row.js';
import { EMPTY_POLICY } from '../../policy.js';
import { trustWidened } from './trust-widened.js';

function rowsOf(fixture: string): Row[] {
  const { rows } = JSON.parse(readFileSync(join(__dirname, 'fixtures', `${fixture}.json`), 'utf8')) as {
    rows: Partial<Row>[];
  };
  return rows.map((partial) => ({
    ...newRow({
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
    }),
    ...partial,
  }));
}

const baseline = {
  principalSubjects: new Set<string>(),
  subjectBuckets: new Set<string>(),
  historyStart: null,
  windowStart: '2026-11-20T00:00:00.000000Z',
};

describe('trust-widened', () => {
  it('names the subject the previous trust would have refused, and only that one', () => {
    const [finding, ...rest] = trustWidened.evaluate(rowsOf('widened-then-fork'), {
      policy: EMPTY_POLICY,
      baseline,
    });
    expect(rest).toEqual([]);
    expect(finding!.subject).toBe('repo:acme/api:pull_request');
    expect(finding!.title).toBe(
      'The trust of arn:aws:iam::111122223333:role/gha-deploy-api widened to admit repo:acme/*; 1 subject(s) the previous trust refused became it since: repo:acme/api:pull_request',
    );
  });
});
