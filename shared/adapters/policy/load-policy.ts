/**
 * Reads the policy file (`--policy FILE` or TOKENTRAIL_POLICY) and checks it on load, so a typo
 * fails loudly with `file:line:column` instead of silently enforcing nothing.
 *
 * The policy is meant to be committed and reviewed with the infrastructure it describes, so it
 * holds no secrets: chat webhook URLs never go in it (they come from the environment or a secret
 * store).
 *
 * A file that is empty or holds only comments is EMPTY_POLICY (nothing enforced, every rule on
 * with its defaults), and so is a section left empty (`suppress:` with every entry commented out).
 */
import { readFile } from 'node:fs/promises';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import {
  EMPTY_POLICY,
  type Expectation,
  type Policy,
  type RuleSettings,
  type Suppression,
} from '../../core/detect/policy.js';
import {
  EXPECTATION_KEYS,
  POLICY_KEYS,
  pathWith,
  RULE_IDS,
  SUPPRESSION_KEYS,
  settingsOf,
  unknownKeyProblem,
  valueIssues,
  valueProblem,
} from '../../core/detect/policy-schema.js';
import { parseTimestamp } from '../../core/time/timestamp.js';
import { PolicyError } from './policy-error.js';

export { PolicyError } from './policy-error.js';

export interface PolicyOptions {
  /**
   * The rule ids `rules` and `suppress[].rule` may name; every rule the schema declares when left
   * out (shared/core/detect/policy-schema.ts).
   */
  readonly ruleIds?: readonly string[];
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Alias expansions allowed when reading setting values, so a YAML "billion laughs" stays small. */
const MAX_ALIAS_COUNT = 1000;

interface Field {
  readonly key: Node;
  /** Null for `key:` with nothing after it. */
  readonly value: Node | null;
}

function describeKeys(keys: readonly string[]): string {
  return keys.join(', ');
}

class PolicyChecker {
  private readonly found: { readonly offset: number; readonly text: string }[] = [];

  /** Every problem so far, in file order (a section's unknown key is found before its values). */
  get problems(): string[] {
    return [...this.found].sort((a, b) => a.offset - b.offset).map((problem) => problem.text);
  }

  constructor(
    private readonly source: string,
    private readonly lines: LineCounter,
    private readonly document: Document.Parsed,
    private readonly ruleIds: readonly string[],
  ) {}

  /** The document as plain values, for settings; null until `policy` converts it. */
  private plain: unknown = null;

  report(offset: number, message: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.found.push({ offset, text: `${this.source}:${line}:${col}: ${message}` });
  }

  failAt(node: Node, message: string): undefined {
    this.report(node.range?.[0] ?? 0, message);
    return undefined;
  }

  /** Points at the value, or at its key when there is none (`principal:` with nothing after it). */
  failField(field: Field, message: string): undefined {
    const range = field.value?.range;
    return this.failAt(range && range[0] !== range[1] ? field.value! : field.key, message);
  }

  resolve(node: Node | null): Node | null {
    if (node !== null && isAlias(node)) return node.resolve(this.document) ?? null;
    return node;
  }

  /** A mapping's fields by key; reports keys that are not strings or not in `allowed`. */
  fields(
    node: Node,
    path: string,
    allowed: readonly string[] | null,
    unknownKey: (key: string) => string = (key) => `unknown key "${key}" in ${path}`,
  ): Map<string, Field> {
    const fields = new Map<string, Field>();
    if (!isMap(node)) return fields;
    for (const pair of node.items) {
      const key = this.resolve(pair.key as Node | null);
      const name = key !== null && isScalar(key) && typeof key.value === 'string' ? key.value : null;
      if (key === null || name === null) {
        this.report(key?.range?.[0] ?? node.range?.[0] ?? 0, `${path} has a key that is not a plain string`);
      } else if (allowed !== null && !allowed.includes(name)) {
        this.report(key.range?.[0] ?? 0, unknownKey(name));
      } else {
        fields.set(name, { key, value: this.resolve(pair.value as Node | null) });
      }
    }
    return fields;
  }

  string(field: Field, path: string): string | undefined {
    const { value } = field;
    const text = nonEmptyText(value);
    return text !== undefined ? text : this.failField(field, `${path} must be a non-empty string`);
  }

  stringList(field: Field, path: string, emptyHint: string): string[] | undefined {
    const { value } = field;
    if (value === null || !isSeq(value)) return this.failField(field, `${path} must be a list of strings`);
    if (value.items.length === 0) return this.failField(field, `${path} must not be empty${emptyHint}`);
    const strings: string[] = [];
    let valid = true;
    value.items.forEach((item, index) => {
      const node = this.resolve(item as Node | null);
      const text = nonEmptyText(node);
      if (text !== undefined) strings.push(text);
      else {
        valid = false;
        this.report(
          node?.range?.[0] ?? value.range?.[0] ?? 0,
          `${path}[${index}] must be a non-empty string`,
        );
      }
    });
    return valid ? strings : undefined;
  }

  /** The items of a list section; null (`suppress:` with nothing after it) is an empty list. */
  sectionItems(field: Field | undefined, path: string, what: string): Node[] {
    if (field === undefined || field.value === null) return [];
    if (isScalar(field.value) && field.value.value === null) return [];
    if (!isSeq(field.value)) {
      this.failField(field, `${path} must be a list of ${what}`);
      return [];
    }
    return field.value.items.map((item) => this.resolve(item as Node | null) ?? field.value!);
  }

  expectation(node: Node, path: string): Expectation | undefined {
    if (!isMap(node)) return this.failAt(node, `${path} must be a mapping with principal and subjects`);
    const fields = this.fields(node, path, EXPECTATION_KEYS, (key) =>
      unknownKeyProblem('key', key, path, EXPECTATION_KEYS, 'an entry has'),
    );
    const principalField = fields.get('principal');
    const subjectsField = fields.get('subjects');
    const audiencesField = fields.get('audiences');
    if (principalField === undefined) this.failAt(node, `${path} needs a principal (a principal pattern)`);
    if (subjectsField === undefined) this.failAt(node, `${path} needs subjects (a list of subject patterns)`);
    const principal = principalField && this.string(principalField, `${path}.principal`);
    const subjects =
      subjectsField &&
      this.stringList(subjectsField, `${path}.subjects`, ' (list the subjects that may assume it)');
    const audiences =
      audiencesField &&
      this.stringList(audiencesField, `${path}.audiences`, ' (leave audiences out to accept any audience)');
    if (principal === undefined || subjects === undefined) return undefined;
    if (audiencesField !== undefined && audiences === undefined) return undefined;
    return audiences === undefined ? { principal, subjects } : { principal, subjects, audiences };
  }

  ruleId(field: Field, path: string): string | undefined {
    const id = this.string(field, path);
    if (id === undefined || this.ruleIds.includes(id)) return id;
    return this.failField(field, unknownKeyProblem('rule', id, path, this.ruleIds, 'the rules are'));
  }

  /** The plain value at `keys` (own properties only), or undefined when there is none. */
  plainAt(keys: readonly string[]): unknown {
    let value = this.plain;
    for (const key of keys) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  }

  /**
   * The node an issue inside `node` points at: a list item, a mapping's value or (for `key`) its
   * key; as deep as the file goes, and the key where a value is left empty.
   */
  locate(node: Node, at: readonly (string | number)[], key: boolean): Node {
    let current = node;
    for (const [index, step] of at.entries()) {
      if (typeof step === 'number' && isSeq(current)) {
        const item = this.resolve(current.items[step] as Node | null);
        if (item === null) break;
        current = item;
        continue;
      }
      if (typeof step !== 'string' || !isMap(current)) break;
      const pair = current.items.find((candidate) => {
        const name = this.resolve(candidate.key as Node | null);
        return name !== null && isScalar(name) && String(name.value) === step;
      });
      const pairKey = pair && this.resolve(pair.key as Node | null);
      if (!pair || !pairKey) break;
      const value = this.resolve(pair.value as Node | null);
      const empty = value === null || !value.range || value.range[0] === value.range[1];
      current = (key && index === at.length - 1) || empty ? pairKey : value;
    }
    return current;
  }

  ruleSettings(id: string, field: Field, path: string): RuleSettings | undefined {
    const node = field.value;
    if (node === null || !isMap(node)) {
      return this.failField(field, `${path} must be a mapping of settings (enabled, severity, ...)`);
    }
    const specs = settingsOf(id);
    const names = Object.keys(specs);
    const unknownSetting = (key: string) =>
      unknownKeyProblem('setting', key, path, names, 'its settings are');
    const settings: [string, unknown][] = [];
    const before = this.found.length;
    for (const [name, setting] of this.fields(node, path, names, unknownSetting)) {
      const value = this.plainAt(['rules', id, name]) ?? null;
      const issues = valueIssues(specs[name]!, value);
      for (const issue of issues) {
        const problem = valueProblem(pathWith(path, name), issue);
        if (issue.at.length === 0 || setting.value === null) this.failField(setting, problem);
        else this.failAt(this.locate(setting.value, issue.at, issue.key), problem);
      }
      if (issues.length === 0) settings.push([name, value]);
    }
    return this.found.length === before ? Object.fromEntries(settings) : undefined;
  }

  rules(field: Field | undefined): Record<string, RuleSettings> {
    if (field === undefined || field.value === null) return {};
    if (isScalar(field.value) && field.value.value === null) return {};
    if (!isMap(field.value)) {
      this.failField(field, 'rules must be a mapping of rule id to settings');
      return {};
    }
    const rules: [string, RuleSettings][] = [];
    const unknownRule = (key: string) =>
      unknownKeyProblem('rule', key, 'rules', this.ruleIds, 'the rules are');
    for (const [id, settingsField] of this.fields(field.value, 'rules', this.ruleIds, unknownRule)) {
      const settings = this.ruleSettings(id, settingsField, pathWith('rules', id));
      if (settings !== undefined) rules.push([id, settings]);
    }
    return Object.fromEntries(rules);
  }

  until(field: Field, path: string): string | undefined {
    const text = untilText(field.value);
    const canonical =
      text === undefined ? null : DATE_ONLY.test(text) ? endOfDay(text) : parseTimestamp(text);
    if (canonical !== null) return canonical;
    return this.failField(
      field,
      `${path} must be a date (2026-12-31) or an ISO 8601 timestamp (2026-12-31T18:00:00Z)`,
    );
  }

  suppression(node: Node, path: string): Suppression | undefined {
    if (!isMap(node)) return this.failAt(node, `${path} must be a mapping with rule, until and reason`);
    const fields = this.fields(node, path, SUPPRESSION_KEYS, (key) =>
      unknownKeyProblem('key', key, path, SUPPRESSION_KEYS, 'a suppression has'),
    );
    const required = (name: string, what: string): Field | undefined => {
      const field = fields.get(name);
      if (field === undefined) this.failAt(node, `${path} needs ${name} (${what})`);
      return field;
    };
    const ruleField = required('rule', 'the rule id it silences');
    const untilField = required('until', 'the date it expires');
    const reasonField = required('reason', 'why the findings are acceptable');
    const principalField = fields.get('principal');
    const subjectField = fields.get('subject');
    const rule = ruleField && this.ruleId(ruleField, `${path}.rule`);
    const until = untilField && this.until(untilField, `${path}.until`);
    const reason = reasonField && this.string(reasonField, `${path}.reason`);
    const principal = principalField && this.string(principalField, `${path}.principal`);
    const subject = subjectField && this.string(subjectField, `${path}.subject`);
    if (rule === undefined || until === undefined || reason === undefined) return undefined;
    if ((principalField && principal === undefined) || (subjectField && subject === undefined))
      return undefined;
    return {
      rule,
      ...(principal === undefined ? {} : { principal }),
      ...(subject === undefined ? {} : { subject }),
      until,
      reason,
    };
  }

  policy(root: Node): Policy {
    if (!isMap(root)) {
      this.failAt(root, `the policy must be a mapping with the keys ${describeKeys(POLICY_KEYS)}`);
      return EMPTY_POLICY;
    }
    try {
      this.plain = this.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      this.failAt(root, `YAML: ${error instanceof Error ? error.message : String(error)}`);
      return EMPTY_POLICY;
    }
    const fields = this.fields(root, 'the policy', POLICY_KEYS, (key) =>
      unknownKeyProblem('key', key, null, POLICY_KEYS, "the policy's keys are"),
    );
    const expect = this.sectionItems(fields.get('expect'), 'expect', 'entries (principal, subjects)')
      .map((item, index) => this.expectation(item, `expect[${index}]`))
      .filter((entry) => entry !== undefined);
    const rules = this.rules(fields.get('rules'));
    const suppress = this.sectionItems(
      fields.get('suppress'),
      'suppress',
      'suppressions (rule, until, reason)',
    )
      .map((item, index) => this.suppression(item, `suppress[${index}]`))
      .filter((entry) => entry !== undefined);
    return { expect, rules, suppress };
  }
}

function nonEmptyText(node: Node | null): string | undefined {
  if (node === null || !isScalar(node) || typeof node.value !== 'string') return undefined;
  return node.value.trim() === '' ? undefined : node.value;
}

function untilText(node: Node | null): string | undefined {
  if (node === null || !isScalar(node)) return undefined;
  if (typeof node.value === 'string') return node.value;
  // A `%YAML 1.1` file turns a bare date into a Date; its source text is what was written.
  return node.value instanceof Date ? node.source : undefined;
}

/** The last microsecond of a UTC day, so `until: 2026-12-31` covers all of that day. */
function endOfDay(date: string): string | null {
  const start = parseTimestamp(`${date}T23:59:59Z`);
  return start === null ? null : start.replace(/\.\d{6}Z$/, '.999999Z');
}

/** Parses and checks a policy; `source` (the file name) prefixes every problem's position. */
export function parsePolicy(text: string, source: string, options: PolicyOptions = {}): Policy {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const checker = new PolicyChecker(source, lines, document, options.ruleIds ?? RULE_IDS);
  const starHint = ' (quote a pattern that starts with *)';
  for (const error of document.errors) {
    const hint = error.code === 'BAD_ALIAS' ? starHint : '';
    checker.report(error.pos[0], `YAML syntax error: ${error.message}${hint}`);
  }
  if (checker.problems.length > 0) throw new PolicyError(checker.problems);
  // yaml reports an alias to a missing anchor only when converting, so look for them here.
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) === undefined) {
        checker.report(
          alias.range?.[0] ?? 0,
          `YAML syntax error: no anchor &${alias.source} before it${starHint}`,
        );
      }
    },
  });
  if (checker.problems.length > 0) throw new PolicyError(checker.problems);
  const root = checker.resolve(document.contents as Node | null);
  if (root === null || (isScalar(root) && root.value === null)) return EMPTY_POLICY;
  const policy = checker.policy(root);
  if (checker.problems.length > 0) throw new PolicyError(checker.problems);
  return policy;
}

/** Reads and checks the policy file at `path`; a missing or unreadable file is a PolicyError. */
export async function loadPolicy(path: string, options: PolicyOptions = {}): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such policy file' : `cannot read the policy file (${code ?? String(error)})`;
    throw new PolicyError([`${path}: ${why}`]);
  }
  return parsePolicy(text, path, options);
}
