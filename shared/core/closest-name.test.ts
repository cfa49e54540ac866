import { closestName } from './closest-name.js';

const SETTINGS = ['enabled', 'severity', 'threshold', 'windowMinutes'];

describe('closestName', () => {
  it.each([
    ['treshold', 'threshold'], // a letter left out
    ['thresholds', 'threshold'], // one added
    ['thershold', 'threshold'], // two swapped
    ['Threshold', 'threshold'], // case
    ['windowminutes', 'windowMinutes'],
    ['enabeld', 'enabled'],
    ['severty', 'severity'],
  ])('takes %s for %s', (typed, known) => {
    expect(closestName(typed, SETTINGS)).toBe(known);
  });

  it.each([['colour'], ['limit'], ['x'], ['']])('suggests nothing for %p, close to none', (typed) => {
    expect(closestName(typed, SETTINGS)).toBeNull();
  });

  it('prefers the nearer name, then the earlier', () => {
    expect(closestName('expects', ['expect', 'suppress'])).toBe('expect');
    expect(closestName('ab', ['ac', 'ad'])).toBe('ac');
  });
});
