import fc from 'fast-check';
import { driftBetween } from './trust-drift.js';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const subject = fc.stringMatching(/^repo:[a-z]{1,6}\/[a-z]{1,6}:(ref:refs\/heads\/main|pull_request|\*)$/);

describe('driftBetween', () => {
  it('finds no drift where the trust admits exactly what the policy expects', () => {
    fc.assert(
      fc.property(fc.uniqueArray(subject, { minLength: 1, maxLength: 5 }), (subjects) => {
        const trusts = [{ issuer: 'https://token.actions.githubusercontent.com', subjects, audiences: null }];
        expect(driftBetween(trusts, [{ principal: ROLE, subjects }])).toEqual([]);
      }),
    );
  });

  it('names each admitted pattern no expectation covers, and each expectation the trust admits nothing of', () => {
    const trusts = [{ subjects: ['repo:acme/*', 'repo:acme/api:ref:refs/heads/main'], audiences: null }];
    expect(
      driftBetween(trusts, [{ principal: ROLE, subjects: ['repo:acme/api:*', 'repo:acme-labs/tools:*'] }]),
    ).toEqual([
      { kind: 'admits', what: 'subject', pattern: 'repo:acme/*' },
      { kind: 'refuses', what: 'subject', pattern: 'repo:acme-labs/tools:*' },
    ]);
  });

  it('says nothing without an expectation or a trust', () => {
    expect(driftBetween([{ subjects: null }], [])).toEqual([]);
    expect(driftBetween([], [{ principal: ROLE, subjects: ['x'] }])).toEqual([]);
  });
});
