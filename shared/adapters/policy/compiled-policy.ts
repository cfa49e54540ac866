/**
 * The policy as the deployed functions read it: checked once, when the functions are built or
 * packaged, and written as JSON. A typo then fails the build with `file:line:column` instead of
 * every cold start in production, and a cold start reads JSON rather than loading the YAML parser
 * (docs/performance.md's cold-start section gives what that saved).
 *
 * The file is a snapshot of the checked policy, not a second format to write by hand: it carries
 * its format and the YAML file it came from, and a reader that finds anything else says how to
 * make one.
 */
import { readFile } from 'node:fs/promises';
import type { Expectation, Policy, RuleSettings, Suppression } from '../../core/detect/policy.js';
import { ruleSettingsIssues } from '../../core/detect/policy-schema.js';
import { PolicyError } from './policy-error.js';

export const COMPILED_POLICY_FORMAT = 'tokentrail-policy/1';

export interface CompiledPolicyFile {
  readonly format: typeof COMPILED_POLICY_FORMAT;
  /** The YAML file it was compiled from, as named to the compiler. */
  readonly source: string;
  readonly policy: Policy;
}

/** The compiled file's text for a checked policy. */
export function compiledPolicyText(policy: Policy, source: string): string {
  const file: CompiledPolicyFile = { format: COMPILED_POLICY_FORMAT, source, policy };
  return `${JSON.stringify(file, null, 2)}\n`;
}

const isStringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isExpectation(value: unknown): value is Expectation {
  return (
    isRecord(value) &&
    typeof value.principal === 'string' &&
    isStringList(value.subjects) &&
    (value.audiences === undefined || isStringList(value.audiences))
  );
}

function isSuppression(value: unknown): value is Suppression {
  return (
    isRecord(value) &&
    typeof value.rule === 'string' &&
    typeof value.until === 'string' &&
    typeof value.reason === 'string' &&
    (value.principal === undefined || typeof value.principal === 'string') &&
    (value.subject === undefined || typeof value.subject === 'string')
  );
}

function policyOf(value: unknown): Policy | null {
  if (!isRecord(value)) return null;
  const { expect, rules, suppress } = value;
  if (!Array.isArray(expect) || !expect.every(isExpectation)) return null;
  if (!Array.isArray(suppress) || !suppress.every(isSuppression)) return null;
  if (ruleSettingsIssues(rules).length > 0) return null;
  return { expect, suppress, rules: rules as Readonly<Record<string, RuleSettings>> };
}

/** Reads a compiled policy file; anything else is a PolicyError that says how to make one. */
export async function readCompiledPolicy(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyError([
      `${path}: ${code === 'ENOENT' ? 'no such policy file' : `cannot read it (${code})`}`,
    ]);
  }
  let file: Partial<CompiledPolicyFile> | null = null;
  try {
    file = JSON.parse(text) as Partial<CompiledPolicyFile>;
  } catch {
    // reported below
  }
  const policy = file?.format === COMPILED_POLICY_FORMAT ? policyOf(file.policy) : null;
  if (policy === null) {
    throw new PolicyError([
      `${path}: not a compiled ${COMPILED_POLICY_FORMAT} policy; write the policy in YAML and let the ` +
        'build compile it (npm run build:gcp -- --policy FILE, or serverless --param=policyFile=FILE)',
    ]);
  }
  return policy;
}
