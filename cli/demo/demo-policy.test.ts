import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../../shared/adapters/policy/load-policy.js';
import { DEMO_LEARNING_DAYS, DEMO_POLICY_YAML, DEMO_RUN_POLICY_YAML } from './demo-policy.js';

it('is docs/policy.example.yaml, word for word', () => {
  expect(DEMO_POLICY_YAML).toBe(
    readFileSync(join(__dirname, '..', '..', 'docs', 'policy.example.yaml'), 'utf8'),
  );
});

it('runs on the example policy with learning shortened for a one-week demo, nothing else changed', () => {
  const example = parsePolicy(DEMO_POLICY_YAML, 'example');
  const run = parsePolicy(DEMO_RUN_POLICY_YAML, 'demo');
  const learning = { learningDays: DEMO_LEARNING_DAYS };
  expect(run).toEqual({
    ...example,
    rules: {
      ...example.rules,
      'first-seen-subject': { ...example.rules['first-seen-subject'], ...learning },
      'subject-new-bucket': { ...example.rules['subject-new-bucket'], ...learning },
    },
  });
});
