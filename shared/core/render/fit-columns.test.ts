import fc from 'fast-check';
import { cutMiddle, fitColumns, MIN_COLUMN, narrowestFit } from './fit-columns.js';

const total = (widths: readonly number[]) =>
  widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1);

describe('cutMiddle', () => {
  it('keeps both ends of a subject and a role, the tail the longer when they differ', () => {
    expect(cutMiddle('repo:acme/payments-api:ref:refs/heads/main', 20)).toBe('repo:acme…heads/main');
    expect(cutMiddle('arn:aws:iam::111122223333:role/github-deploy', 21)).toBe('arn:aws:ia…hub-deploy');
  });

  it('leaves a text that fits as it is, and counts code points, not UTF-16 units', () => {
    expect(cutMiddle('acme-ml', 7)).toBe('acme-ml');
    expect(cutMiddle('😀😀😀😀', 4)).toBe('😀😀😀😀');
    expect(cutMiddle('😀a😀b😀c😀', 5)).toBe('😀a…c😀');
  });
});

describe('fitColumns', () => {
  it('shrinks the widest column first and keeps the short ones whole', () => {
    // cloud, subject, principal, count, first seen: 5 + 42 + 90 + 5 + 19 = 161, + 8 of gaps.
    expect(fitColumns([5, 42, 90, 5, 19], [8, 8, 8, 8, 8], 120)).toEqual([5, 42, 41, 5, 19]);
    expect(fitColumns([5, 42, 90, 5, 19], [8, 8, 8, 8, 8], 80)).toEqual([5, 22, 21, 5, 19]);
  });

  it('gives every column its natural width when they fit, or when there is no width', () => {
    expect(fitColumns([5, 42], [8, 8], 49)).toEqual([5, 42]);
    expect(fitColumns([5, 420], [8, 8], null)).toEqual([5, 420]);
  });

  it('never goes below a minimum: past it, the line stays wider than asked', () => {
    expect(fitColumns([40, 40, 64], [8, 8, 13], 10)).toEqual([8, 8, 13]);
    expect(narrowestFit([40, 40, 64], [8, 8, 13])).toBe(33);
    expect(narrowestFit([3, 40], [8, 8])).toBe(13);
  });

  it('fits any columns into any width from the narrowest up, widest first, none wider than it was', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 12 }),
        fc.nat({ max: 400 }),
        (natural, extra) => {
          const minimums = natural.map(() => MIN_COLUMN);
          const width = narrowestFit(natural, minimums) + extra;
          const widths = fitColumns(natural, minimums, width);
          expect(total(widths)).toBeLessThanOrEqual(Math.max(width, 0));
          widths.forEach((size, index) => {
            expect(size).toBeLessThanOrEqual(natural[index]!);
            expect(size).toBeGreaterThanOrEqual(Math.min(natural[index]!, MIN_COLUMN));
          });
          // A column no wider than what a cut column kept is whole.
          const cut = widths.filter((size, index) => size < natural[index]!);
          if (cut.length > 0) {
            natural.forEach((size, index) => {
              if (size < Math.min(...cut)) expect(widths[index]).toBe(size);
            });
          }
          // Nothing is cut that the width had room for: a cut table fills the width exactly.
          if (total(natural) <= width) expect(widths).toEqual(natural);
          else expect(total(widths)).toBe(width);
        },
      ),
    );
  });
});
