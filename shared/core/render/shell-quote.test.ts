import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it.each([
    ['repo:acme/web:ref:refs/heads/main', 'repo:acme/web:ref:refs/heads/main'],
    ["it's", `'it'\\''s'`],
    ['$(rm -rf ~)', `'$(rm -rf ~)'`],
    ['', `''`],
  ])('quotes %j as %s', (text, quoted) => {
    expect(shellQuote(text)).toBe(quoted);
  });

  it('gives the shell back exactly the text, whatever it holds', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((text) => !text.includes('\u0000')),
        (text) => {
          const echoed = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(text)}`], {
            encoding: 'utf8',
          });
          expect(echoed).toBe(text);
        },
      ),
      { numRuns: 50 },
    );
  });
});
