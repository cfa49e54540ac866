import fc from 'fast-check';
import { globToRegex } from './glob.js';

const matches = (glob: string, text: string) => new RegExp(globToRegex(glob), 'su').test(text);

describe('globToRegex', () => {
  it.each([
    ['acme-prod-*', 'acme-prod-assets', true],
    ['acme-prod-*', 'acme-prod-', true],
    ['acme-prod-*', 'xacme-prod-assets', false],
    ['acme-?', 'acme-1', true],
    ['acme-?', 'acme-12', false],
    ['*', 'anything', true],
    ['acme.prod', 'acmeXprod', false],
    ['a+b(c)[d]{e}|^$\\', 'a+b(c)[d]{e}|^$\\', true],
  ])('%s against %s is %s', (glob, text, expected) => {
    expect(matches(glob, text)).toBe(expected);
  });

  it('matches any text against itself when it has no wildcards, and nothing else of another length', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }).filter((text) => !/[*?]/.test(text)),
        fc.string(),
        (text, other) => {
          expect(matches(text, text)).toBe(true);
          if (other !== text) expect(matches(text, other)).toBe(false);
        },
      ),
    );
  });
});
