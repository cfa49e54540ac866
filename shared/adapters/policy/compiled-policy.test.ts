import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicyFile } from './compile-policy-file.js';
import { COMPILED_POLICY_FORMAT, compiledPolicyText, readCompiledPolicy } from './compiled-policy.js';
import { loadPolicy } from './load-policy.js';
import { PolicyError } from './policy-error.js';

const EXAMPLE = join(__dirname, '../../../docs/policy.example.yaml');

describe('compiled policy', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'tokentrail-compiled-policy-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('reads back exactly the policy the YAML file holds', async () => {
    const path = await compilePolicyFile(EXAMPLE, directory);
    expect(path).toMatch(/policy-[0-9a-f]{12}\.json$/);
    expect(await readCompiledPolicy(path)).toEqual(await loadPolicy(EXAMPLE));
  });

  it('names the file after its content, so compiling again gives the same file', async () => {
    const first = await compilePolicyFile(EXAMPLE, directory);
    expect(await compilePolicyFile(EXAMPLE, directory)).toBe(first);
    expect(readdirSync(directory)).toEqual([first.slice(directory.length + 1)]);
  });

  it('is not written when the YAML has a problem', async () => {
    const yaml = join(directory, 'policy.yaml');
    writeFileSync(yaml, 'expect:\n  - subjects: ["repo:acme/*"]\n');
    await expect(compilePolicyFile(yaml, join(directory, 'out'))).rejects.toThrow(
      /policy\.yaml:2:5: expect\[0\] needs a principal/,
    );
  });

  it.each([
    ['hand-written JSON', '{"expect": [], "rules": {}, "suppress": []}'],
    ['another format', JSON.stringify({ format: 'tokentrail-policy/0', policy: {} })],
    [
      'a policy of the wrong shape',
      JSON.stringify({ format: COMPILED_POLICY_FORMAT, policy: { expect: 'x' } }),
    ],
    [
      'a policy whose rule settings the YAML loader refuses',
      JSON.stringify({
        format: COMPILED_POLICY_FORMAT,
        policy: { expect: [], suppress: [], rules: { 'failed-exchange-burst': { treshold: 3 } } },
      }),
    ],
    ['not JSON at all', 'expect:\n  - principal: x\n'],
  ])('refuses %s, saying how to make one', async (_, text) => {
    const path = join(directory, 'policy.json');
    writeFileSync(path, text);
    const error = await readCompiledPolicy(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toMatch(
      /not a compiled tokentrail-policy\/1 policy; .*--policy FILE/,
    );
  });

  it('names a missing file', async () => {
    await expect(readCompiledPolicy(join(directory, 'gone.json'))).rejects.toThrow(
      /gone\.json: no such policy file/,
    );
  });

  it('keeps suppressions and rule settings', async () => {
    const policy = {
      expect: [{ principal: 'p', subjects: ['s'], audiences: ['a'] }],
      rules: { 'unexpected-subject': { severity: 'high' as const, enabled: true } },
      suppress: [{ rule: 'r', subject: 's', until: '2026-12-31T23:59:59.999999Z', reason: 'why' }],
    };
    const path = join(directory, 'policy.json');
    writeFileSync(path, compiledPolicyText(policy, 'policy.yaml'));
    expect(await readCompiledPolicy(path)).toEqual(policy);
  });
});
