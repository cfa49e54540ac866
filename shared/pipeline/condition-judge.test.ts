import type { Row } from '../core/schema/row.js';
import { conditionJudgeFor } from './condition-judge.js';

function row(partial: Partial<Row>): Row {
  return { cloud: 'gcp', category: 'trust_change', trust: null, ...partial } as Row;
}

describe('conditionJudgeFor', () => {
  it('loads the evaluator only for a GCP trust change that sets a provider trust', async () => {
    expect(await conditionJudgeFor([])).toBeUndefined();
    expect(await conditionJudgeFor([row({ trust: [] })])).toBeUndefined();
    expect(await conditionJudgeFor([row({ trust: null })])).toBeUndefined();
    expect(
      await conditionJudgeFor([row({ cloud: 'aws', trust: [{ condition: '{"StringLike":{}}' }] })]),
    ).toBeUndefined();
    expect(await conditionJudgeFor([row({ category: 'token_exchange' })])).toBeUndefined();
    const judge = await conditionJudgeFor([
      row({
        trust: JSON.stringify([{ issuer: 'https://gitlab.com', condition: "assertion.ref == 'main'" }]),
      }),
    ]);
    expect(
      judge?.ownerScoping({ issuer: 'https://gitlab.com', condition: "assertion.ref == 'main'" }).kind,
    ).toBe('open');
  });
});
