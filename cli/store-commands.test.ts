import { RULES } from '../shared/core/detect/rules.js';
import { RULE_IDS } from './store-commands.js';

describe('detect --help', () => {
  it('names every detection rule, in the order they run', () => {
    expect(RULE_IDS).toEqual(RULES.map((rule) => rule.id));
  });
});
