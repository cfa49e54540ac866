import { matchAlertId } from './alert-id-prefix.js';

const A = `abcdef01${'0'.repeat(56)}`;
const B = `abcdef02${'0'.repeat(56)}`;
const C = `0123456789${'f'.repeat(54)}`;
const KNOWN = [A, B, C];

describe('matchAlertId', () => {
  it('takes a whole id', () => {
    expect(matchAlertId(A, KNOWN)).toEqual({ kind: 'one', id: A });
  });

  it('takes a prefix of 6 or more hex digits that one id starts with, in any case', () => {
    expect(matchAlertId('012345', KNOWN)).toEqual({ kind: 'one', id: C });
    expect(matchAlertId('ABCDEF02', KNOWN)).toEqual({ kind: 'one', id: B });
  });

  it('names every id an ambiguous prefix starts', () => {
    expect(matchAlertId('abcdef', KNOWN)).toEqual({ kind: 'ambiguous', ids: [A, B] });
    expect(matchAlertId('abcdef', [A, A, B])).toEqual({ kind: 'ambiguous', ids: [A, B] });
  });

  it('refuses fewer than 6 hex digits, even when only one id starts with them', () => {
    expect(matchAlertId('01234', KNOWN)).toEqual({ kind: 'too-short' });
  });

  it('finds nothing for an unknown prefix, or for what is not hex', () => {
    expect(matchAlertId('fedcba98', KNOWN)).toEqual({ kind: 'none' });
    expect(matchAlertId('no-such-id', KNOWN)).toEqual({ kind: 'none' });
    expect(matchAlertId('', KNOWN)).toEqual({ kind: 'none' });
  });
});
