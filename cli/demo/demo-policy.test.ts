import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_POLICY_YAML } from './demo-policy.js';

it('is docs/policy.example.yaml, word for word', () => {
  expect(DEMO_POLICY_YAML).toBe(
    readFileSync(join(__dirname, '..', '..', 'docs', 'policy.example.yaml'), 'utf8'),
  );
});
