/**
 * The trust a team expects (who may become which principal) and how its detection rules are tuned.
 * Loaded from a YAML file by shared/adapters/policy; everything here is pure matching.
 */
import type { Severity } from '../alerts/alert.js';

export interface Expectation {
  /** A StringLike pattern over the cloud principal (role ARN, service account, principal://). */
  readonly principal: string;
  /** StringLike patterns; a subject that matches none of them is unexpected. */
  readonly subjects: readonly string[];
  /** StringLike patterns; absent means any audience is accepted. */
  readonly audiences?: readonly string[];
}

export interface Suppression {
  /** The rule id, matched exactly. */
  readonly rule: string;
  /** StringLike patterns; absent means any. */
  readonly principal?: string;
  readonly subject?: string;
  /** Canonical UTC timestamp; the suppression covers findings at or before it. */
  readonly until: string;
  readonly reason: string;
}

export interface RuleSettings {
  readonly enabled?: boolean;
  readonly severity?: Severity;
  readonly [setting: string]: unknown;
}

export interface Policy {
  readonly expect: readonly Expectation[];
  readonly rules: Readonly<Record<string, RuleSettings>>;
  readonly suppress: readonly Suppression[];
}

export const EMPTY_POLICY: Policy = Object.freeze({
  expect: Object.freeze([]),
  rules: Object.freeze({}),
  suppress: Object.freeze([]),
});

/**
 * Counts the characters a match examines (compared, or scanned by indexOf), so that linearity can
 * be checked by counting rather than by timing.
 */
export interface MatchMeter {
  examined: number;
}

type Matcher = (value: string, meter?: MatchMeter) => boolean;

const ANY = '\u0000any';

/**
 * A pattern without `?` compares code units (indexOf, startsWith); `?` is one character, so a
 * pattern with it compares code points. Either way a match is O(pattern × value): no regex
 * backtracking, since the values are attacker-controlled subjects.
 */
function compile(pattern: string): Matcher {
  const segments = pattern.split(/\*+/);
  if (!pattern.includes('?')) return segmentMatcher(segments);
  return codePointMatcher(
    segments.map((segment) => Array.from(segment, (char) => (char === '?' ? ANY : char))),
  );
}

function segmentMatcher(segments: readonly string[]): Matcher {
  const first = segments[0]!;
  if (segments.length === 1)
    return (value, meter) => {
      if (meter) meter.examined += Math.min(value.length, first.length);
      return value === first;
    };
  const last = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1).filter((segment) => segment !== '');
  return (value, meter) => {
    if (value.length < first.length + last.length) return false;
    if (meter) meter.examined += first.length + last.length;
    if (!value.startsWith(first) || !value.endsWith(last)) return false;
    const end = value.length - last.length;
    let position = first.length;
    for (const segment of middle) {
      const found = value.indexOf(segment, position);
      if (meter) meter.examined += (found === -1 ? value.length : found + segment.length) - position;
      if (found === -1 || found + segment.length > end) return false;
      position = found + segment.length;
    }
    return true;
  };
}

function segmentAt(
  value: readonly string[],
  segment: readonly string[],
  position: number,
  meter: MatchMeter | undefined,
): boolean {
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    if (meter) meter.examined++;
    if (char !== ANY && char !== value[position + i]) return false;
  }
  return true;
}

function codePointMatcher(segments: readonly (readonly string[])[]): Matcher {
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  return (text, meter) => {
    const value = Array.from(text);
    if (meter) meter.examined += text.length;
    if (segments.length === 1) return value.length === first.length && segmentAt(value, first, 0, meter);
    const end = value.length - last.length;
    if (end < first.length || !segmentAt(value, first, 0, meter) || !segmentAt(value, last, end, meter))
      return false;
    // Leftmost placement of each fixed-length segment is never worse than a later one.
    let position = first.length;
    for (const segment of middle) {
      while (position + segment.length <= end && !segmentAt(value, segment, position, meter)) position++;
      if (position + segment.length > end) return false;
      position += segment.length;
    }
    return true;
  };
}

const compiled = new Map<string, Matcher>();
const MAX_COMPILED = 10_000;

/**
 * AWS StringLike: `*` any run (incl. ':' and '/'), `?` one character, case-sensitive, whole string.
 * A meter, if given, counts the characters examined.
 */
export function stringLike(pattern: string, value: string, meter?: MatchMeter): boolean {
  let matcher = compiled.get(pattern);
  if (matcher === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    matcher = compile(pattern);
    compiled.set(pattern, matcher);
  }
  return matcher(value, meter);
}

/** The entries whose principal pattern matches; empty means the principal is not enforced. */
export function expectationsFor(policy: Policy, principal: string): readonly Expectation[] {
  return policy.expect.filter((expectation) => stringLike(expectation.principal, principal));
}

function covers(pattern: string | undefined, value: string | null): boolean {
  if (pattern === undefined) return true;
  return value !== null && stringLike(pattern, value);
}

/**
 * The suppression covering (rule, principal, subject) at `at` (canonical timestamp), if any;
 * principal/subject in a suppression are StringLike patterns, absent = any. A finding with no
 * principal (or subject) is covered only by a suppression that leaves it out.
 */
export function suppressionFor(
  policy: Policy,
  finding: { rule: string; principal: string | null; subject: string | null },
  at: string,
): Suppression | null {
  return (
    policy.suppress.find(
      (suppression) =>
        suppression.rule === finding.rule &&
        at <= suppression.until &&
        covers(suppression.principal, finding.principal) &&
        covers(suppression.subject, finding.subject),
    ) ?? null
  );
}
