/**
 * What a policy may say: its keys at every level, each rule's settings and the values they take.
 * The YAML loader (shared/adapters/policy) walks the file against this and points at each mistake;
 * `ruleSettingsIssues` checks a policy already in memory (a compiled file, a test fixture) the
 * same way. A rule reads only the settings declared for it here (a test keeps the ids equal to
 * RULES), so a setting missing from this table is one no rule would read.
 */
import { SEVERITIES } from '../alerts/alert.js';
import { closestName } from '../closest-name.js';

export const POLICY_KEYS = ['expect', 'rules', 'suppress'] as const;
export const EXPECTATION_KEYS = ['principal', 'subjects', 'audiences'] as const;
export const SUPPRESSION_KEYS = ['rule', 'principal', 'subject', 'until', 'reason'] as const;

export type SettingSpec =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'choice'; readonly choices: readonly string[] }
  | {
      readonly kind: 'number';
      /** The smallest value allowed, or the bound the value must be above when `above`. */
      readonly min: number;
      readonly above: boolean;
      readonly integer: boolean;
      /** What it counts, plural: `days`, `minutes`. */
      readonly unit: string;
    }
  /** A non-empty string matched as a StringLike pattern; `what` names what it matches. */
  | { readonly kind: 'pattern'; readonly what: string }
  | { readonly kind: 'list'; readonly item: SettingSpec; readonly what: string }
  /** A mapping of patterns (keys) to values, e.g. minutes per principal pattern. */
  | { readonly kind: 'patterns-to'; readonly value: SettingSpec; readonly what: string };

const minutes: SettingSpec = { kind: 'number', min: 0, above: true, integer: false, unit: 'minutes' };
const learningDays: SettingSpec = { kind: 'number', min: 0, above: false, integer: false, unit: 'days' };

/** The settings every rule takes. */
export const COMMON_SETTINGS: Readonly<Record<string, SettingSpec>> = {
  enabled: { kind: 'boolean' },
  severity: { kind: 'choice', choices: SEVERITIES },
};

/** Each rule's own settings, besides enabled and severity. */
export const RULE_SETTINGS: Readonly<Record<string, Readonly<Record<string, SettingSpec>>>> = {
  'unexpected-subject': {},
  'audience-mismatch': {},
  'first-seen-subject': { learningDays },
  'failed-exchange-burst': {
    threshold: { kind: 'number', min: 1, above: false, integer: true, unit: 'failures' },
    windowMinutes: minutes,
  },
  'subject-new-bucket': { learningDays },
  'shared-principal-across-repos': {},
  'whole-pool-grant': {},
  'weak-trust': {},
  'trust-widened': {},
  'trust-drift': {},
  'credential-used-elsewhere': {},
  'exchange-from-unexpected-network': {
    githubHosted: {
      kind: 'list',
      item: { kind: 'pattern', what: 'a subject pattern' },
      what: 'a list of subject patterns',
    },
  },
  'use-long-after-mint': {
    afterMinutes: minutes,
    principals: { kind: 'patterns-to', value: minutes, what: 'a mapping of principal patterns to minutes' },
  },
};

export const RULE_IDS: readonly string[] = Object.keys(RULE_SETTINGS);

/** The settings `rule` takes (enabled and severity for a rule with none of its own). */
export function settingsOf(rule: string): Readonly<Record<string, SettingSpec>> {
  return { ...COMMON_SETTINGS, ...RULE_SETTINGS[rule] };
}

/** What a value of `spec` is, as the end of "must be ...". */
export function expectedOf(spec: SettingSpec): string {
  switch (spec.kind) {
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${spec.choices.join(', ')}`;
    case 'number': {
      const bound = spec.above ? `above ${spec.min}` : `${spec.min} or more`;
      return `${spec.integer ? 'a whole number' : 'a number'} of ${spec.unit}, ${bound}`;
    }
    case 'pattern':
      return `a non-empty string (${spec.what})`;
    case 'list':
    case 'patterns-to':
      return spec.what;
  }
}

/** A value as a problem quotes it: strings quoted and cut short, collections by their kind. */
export function describeFound(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

export interface ValueIssue {
  /** Where inside the value: list indexes and mapping keys, empty for the value itself. */
  readonly at: readonly (string | number)[];
  /** Whether the mapping key at `at` is wrong rather than its value. */
  readonly key: boolean;
  readonly expected: string;
  readonly found: string;
  /** For a choice, the allowed value it is most likely a typo of. */
  readonly closest: string | null;
}

const isMapping = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every way `value` differs from `spec`, innermost first where a collection holds bad items. */
export function valueIssues(spec: SettingSpec, value: unknown): ValueIssue[] {
  const issue = (closest: string | null = null): ValueIssue[] => [
    { at: [], key: false, expected: expectedOf(spec), found: describeFound(value), closest },
  ];
  const within = (step: string | number, issues: ValueIssue[]) =>
    issues.map((inner) => ({ ...inner, at: [step, ...inner.at] }));
  switch (spec.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? [] : issue();
    case 'choice':
      if (typeof value === 'string' && spec.choices.includes(value)) return [];
      return issue(typeof value === 'string' ? closestName(value, spec.choices) : null);
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (spec.above ? value > spec.min : value >= spec.min) &&
        (!spec.integer || Number.isInteger(value));
      return ok ? [] : issue();
    }
    case 'pattern':
      return typeof value === 'string' && value.trim() !== '' ? [] : issue();
    case 'list':
      if (!Array.isArray(value)) return issue();
      return value.flatMap((item, index) => within(index, valueIssues(spec.item, item)));
    case 'patterns-to':
      if (!isMapping(value)) return issue();
      return Object.entries(value).flatMap(([pattern, item]) => [
        ...(pattern.trim() === ''
          ? [{ at: [pattern], key: true, expected: 'a non-empty pattern', found: '""', closest: null }]
          : []),
        ...within(pattern, valueIssues(spec.value, item)),
      ]);
  }
}

/** `rules.x.principals` plus a step: `[2]` for an index, `.key` or `["odd key"]` for a key. */
export function pathWith(path: string, step: string | number): string {
  if (typeof step === 'number') return `${path}[${step}]`;
  return /^[A-Za-z_][\w-]*$/.test(step) ? `${path}.${step}` : `${path}[${JSON.stringify(step)}]`;
}

/** The problem sentence for an issue of the value at `path`. */
export function valueProblem(path: string, issue: ValueIssue): string {
  const where = issue.at.reduce<string>(pathWith, path);
  const subject = issue.key ? `the key of ${where}` : where;
  const hint = issue.closest === null ? '' : ` (did you mean ${issue.closest}?)`;
  return `${subject} must be ${issue.expected}; found ${issue.found}${hint}`;
}

/** The problem sentence for a key that is not among `known`, with the closest one when any. */
export function unknownKeyProblem(
  what: string,
  name: string,
  where: string | null,
  known: readonly string[],
  listed: string,
): string {
  const closest = closestName(name, known);
  const hint = closest === null ? '' : ` (did you mean ${closest}?)`;
  return `unknown ${what} "${name}"${where === null ? '' : ` in ${where}`}${hint}; ${listed} ${known.join(', ')}`;
}

/**
 * The problems of a `rules` value already in memory (no positions: a compiled policy, a fixture),
 * each `path: problem` as the YAML loader words it; `ruleIds` are the rules that exist.
 */
export function ruleSettingsIssues(rules: unknown, ruleIds: readonly string[] = RULE_IDS): string[] {
  if (!isMapping(rules)) return ['rules must be a mapping of rule id to settings'];
  return Object.entries(rules).flatMap(([id, settings]) => {
    if (!ruleIds.includes(id)) return [unknownKeyProblem('rule', id, 'rules', ruleIds, 'the rules are')];
    const path = pathWith('rules', id);
    if (!isMapping(settings)) return [`${path} must be a mapping of settings (enabled, severity, ...)`];
    const specs = settingsOf(id);
    return Object.entries(settings).flatMap(([name, value]) => {
      const spec = specs[name];
      if (spec === undefined) {
        return [unknownKeyProblem('setting', name, path, Object.keys(specs), 'its settings are')];
      }
      return valueIssues(spec, value).map((issue) => valueProblem(pathWith(path, name), issue));
    });
  });
}
