import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LEARNING_DAYS } from './learning.js';
import {
  RULE_IDS,
  RULE_SETTINGS,
  ruleSettingsIssues,
  type SettingSpec,
  settingsOf,
  valueIssues,
} from './policy-schema.js';
import { BURST_DEFAULTS } from './rules/failed-exchange-burst/failed-exchange-burst.js';
import { LONG_AFTER_MINT_DEFAULTS } from './rules/use-long-after-mint/use-long-after-mint.js';
import { RULES } from './rules.js';

const RULES_DIRECTORY = join(__dirname, 'rules');

/** Every rule fixture's policy, by `rule/fixture.json`. */
const fixturePolicies = readdirSync(RULES_DIRECTORY, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((rule) => {
    const directory = join(RULES_DIRECTORY, rule.name, 'fixtures');
    return readdirSync(directory)
      .filter((name) => name.endsWith('.json'))
      .map((name): [string, { rules?: unknown }] => [
        `${rule.name}/${name}`,
        JSON.parse(readFileSync(join(directory, name), 'utf8')).policy ?? {},
      ]);
  });

describe('the policy schema', () => {
  it('declares the settings of exactly the rules that exist', () => {
    expect([...RULE_IDS].sort()).toEqual(RULES.map((rule) => rule.id).sort());
  });

  it("accepts each rule's defaults as its settings", () => {
    expect(
      ruleSettingsIssues({
        'failed-exchange-burst': BURST_DEFAULTS,
        'use-long-after-mint': LONG_AFTER_MINT_DEFAULTS,
        'first-seen-subject': { learningDays: DEFAULT_LEARNING_DAYS },
        'subject-new-bucket': { learningDays: DEFAULT_LEARNING_DAYS },
      }),
    ).toEqual([]);
  });

  it.each(fixturePolicies)('accepts the rule settings of the fixture %s', (_name, policy) => {
    expect(ruleSettingsIssues(policy.rules ?? {})).toEqual([]);
  });

  it('gives every rule enabled and severity', () => {
    for (const id of RULE_IDS)
      expect(Object.keys(settingsOf(id)).slice(0, 2)).toEqual(['enabled', 'severity']);
    expect(Object.keys(settingsOf('failed-exchange-burst'))).toEqual([
      'enabled',
      'severity',
      ...Object.keys(RULE_SETTINGS['failed-exchange-burst']!),
    ]);
  });

  it('words the problems of a policy in memory as the YAML loader does', () => {
    expect(
      ruleSettingsIssues({
        'failed-exchange-burst': { treshold: 3, windowMinutes: -1 },
        'first-seen-subject': { learningDays: 'fourteen' },
        'exchange-from-unexpected-network': { githubHosted: ['repo:acme/*', 7] },
        'use-long-after-mint': { principals: { 'arn:aws:iam::*:role/etl-*': 0 } },
        'fork-pr': {},
        'weak-trust': 'off',
      }),
    ).toEqual([
      'unknown setting "treshold" in rules.failed-exchange-burst (did you mean threshold?); its settings are enabled, severity, threshold, windowMinutes',
      'rules.failed-exchange-burst.windowMinutes must be a number of minutes, above 0; found -1',
      'rules.first-seen-subject.learningDays must be a number of days, 0 or more; found "fourteen"',
      'rules.exchange-from-unexpected-network.githubHosted[1] must be a non-empty string (a subject pattern); found 7',
      'rules.use-long-after-mint.principals["arn:aws:iam::*:role/etl-*"] must be a number of minutes, above 0; found 0',
      `unknown rule "fork-pr" in rules; the rules are ${RULE_IDS.join(', ')}`,
      'rules.weak-trust must be a mapping of settings (enabled, severity, ...)',
    ]);
    expect(ruleSettingsIssues([])).toEqual(['rules must be a mapping of rule id to settings']);
  });
});

describe('valueIssues', () => {
  const count: SettingSpec = { kind: 'number', min: 1, above: false, integer: true, unit: 'failures' };

  it.each([[1], [10], [1e6]])('takes %p as a count', (value) => {
    expect(valueIssues(count, value)).toEqual([]);
  });

  it.each([[0], [-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY], ['3'], [null], [true], [[3]]])(
    'refuses %p as a count',
    (value) => {
      expect(valueIssues(count, value)).toHaveLength(1);
    },
  );

  it('says where inside a list the bad items are', () => {
    const list: SettingSpec = { kind: 'list', item: { kind: 'pattern', what: 'a pattern' }, what: 'a list' };
    expect(valueIssues(list, ['a', ' ', 'b', null]).map((issue) => issue.at)).toEqual([[1], [3]]);
  });
});
