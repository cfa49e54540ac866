/**
 * Does an EventBridge event pattern match an event? A small evaluator of the pattern language:
 * literal lists, nested objects, `$or`, and the matchers prefix, suffix, anything-but,
 * equals-ignore-case, exists and wildcard. Three answers: `match`, `no`, or `unknown` when the
 * pattern uses a matcher the evaluator does not know (numeric, cidr) or a field the model event
 * does not describe. A model event marks a field it knows to be absent with the value undefined.
 */
export type Verdict = 'match' | 'no' | 'unknown';

export interface PatternResult {
  readonly verdict: Verdict;
  /** The paths whose values ruled the event out, e.g. `source`, `detail.eventName`. */
  readonly failed: readonly string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function all(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('no')) return 'no';
  return verdicts.includes('unknown') ? 'unknown' : 'match';
}

function any(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('match')) return 'match';
  return verdicts.includes('unknown') ? 'unknown' : 'no';
}

function verdictOf(matched: boolean): Verdict {
  return matched ? 'match' : 'no';
}

function textMatcher(operand: unknown, test: (value: string, text: string) => boolean) {
  if (typeof operand === 'string') return (value: string) => test(value, operand);
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    const text = operand['equals-ignore-case'].toLowerCase();
    return (value: string) => test(value.toLowerCase(), text);
  }
  return null;
}

function wildcardRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

const STARTS = (value: string, text: string) => value.startsWith(text);
const ENDS = (value: string, text: string) => value.endsWith(text);

/** Whether an `anything-but` operand excludes one value; null when the operand is not understood. */
function excludedBy(operand: unknown, value: unknown): boolean | null {
  if (Array.isArray(operand)) return operand.some((item) => item === value);
  if (!isObject(operand)) return operand === value;
  for (const key of ['prefix', 'suffix'] as const) {
    if (operand[key] === undefined) continue;
    if (typeof value !== 'string') return false;
    const test = textMatcher(operand[key], key === 'prefix' ? STARTS : ENDS);
    return test ? test(value) : null;
  }
  return null;
}

function matchMatcher(matcher: Json, values: readonly unknown[], present: boolean): Verdict {
  const keys = Object.keys(matcher);
  if (keys.length !== 1) return 'unknown';
  const [key] = keys as [string];
  const operand = matcher[key];
  const strings = values.filter((value): value is string => typeof value === 'string');
  switch (key) {
    case 'exists':
      return typeof operand === 'boolean' ? verdictOf(operand === present) : 'unknown';
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case': {
      const test =
        key === 'prefix'
          ? textMatcher(operand, STARTS)
          : key === 'suffix'
            ? textMatcher(operand, ENDS)
            : typeof operand === 'string'
              ? (value: string) => value.toLowerCase() === operand.toLowerCase()
              : null;
      return test ? verdictOf(present && strings.some(test)) : 'unknown';
    }
    case 'wildcard':
      return typeof operand === 'string'
        ? verdictOf(present && strings.some((v) => wildcardRegex(operand).test(v)))
        : 'unknown';
    case 'anything-but': {
      if (!present) return 'no';
      const excluded = values.map((value) => excludedBy(operand, value));
      if (excluded.some((flag) => flag === false)) return 'match';
      return excluded.includes(null) ? 'unknown' : 'no';
    }
    default:
      return 'unknown';
  }
}

function matchList(list: readonly unknown[], value: unknown, present: boolean): Verdict {
  const values = Array.isArray(value) ? value : [value];
  return any(
    list.map((item) => {
      if (isObject(item)) return matchMatcher(item, values, present);
      if (Array.isArray(item)) return 'unknown';
      return verdictOf(present && values.some((candidate) => candidate === item));
    }),
  );
}

function matchObject(pattern: Json, event: Json | undefined, path: string, failed: string[]): Verdict {
  const verdicts = Object.entries(pattern).map(([key, expected]): Verdict => {
    const here = path ? `${path}.${key}` : key;
    let verdict: Verdict;
    if (key === '$or' && Array.isArray(expected)) {
      verdict = any(
        expected.map((branch) => (isObject(branch) ? matchObject(branch, event, path, []) : 'unknown')),
      );
    } else if (event !== undefined && !(key in event)) {
      verdict = 'unknown'; // the model event says nothing about this field
    } else if (Array.isArray(expected)) {
      const value = event?.[key];
      verdict = matchList(expected, value, value !== undefined);
    } else if (isObject(expected)) {
      const inner = event?.[key];
      verdict = matchObject(expected, isObject(inner) ? inner : undefined, here, failed);
      return verdict;
    } else {
      verdict = 'unknown';
    }
    if (verdict === 'no') failed.push(here);
    return verdict;
  });
  return all(verdicts);
}

/** Evaluates an EventBridge pattern (as JSON text or parsed) against a model event. */
export function matchEventPattern(pattern: unknown, event: Json): PatternResult {
  if (!isObject(pattern)) return { verdict: 'unknown', failed: [] };
  const failed: string[] = [];
  const verdict = matchObject(pattern, event, '', failed);
  return { verdict, failed: verdict === 'no' ? failed : [] };
}
