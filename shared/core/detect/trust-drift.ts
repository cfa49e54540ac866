import { type Expectation, stringLike } from './policy.js';
import type { ConditionJudge, Trust } from './trusts.js';

/** Whether a pattern admits everything another admits: the other read as text (its `*` a character). */
export function covers(pattern: string, narrower: string): boolean {
  return stringLike(pattern, narrower);
}

/** One way the cloud's trust and the team's `expect` disagree. */
export interface Drift {
  /** `admits`: the cloud admits what no expectation lists; `refuses`: an expectation the cloud refuses. */
  readonly kind: 'admits' | 'refuses';
  readonly what: 'subject' | 'audience';
  /** The pattern at issue, or null for "any". */
  readonly pattern: string | null;
}

function subjectDrift(trusts: readonly Trust[], expected: readonly string[]): Drift[] {
  const drift: Drift[] = [];
  const admitted = trusts.map((trust) => trust.subjects ?? null);
  if (admitted.some((subjects) => subjects === null)) {
    drift.push({ kind: 'admits', what: 'subject', pattern: null });
  } else {
    for (const pattern of admitted.flat() as string[]) {
      if (!expected.some((wanted) => covers(wanted, pattern)))
        drift.push({ kind: 'admits', what: 'subject', pattern });
    }
    // An expectation is an allowlist, often broader than the trust: only one the trust admits no
    // subject of at all (neither pattern covers the other) is a workload the cloud refuses.
    for (const wanted of expected) {
      const patterns = admitted.flat() as string[];
      if (!patterns.some((pattern) => covers(pattern, wanted) || covers(wanted, pattern)))
        drift.push({ kind: 'refuses', what: 'subject', pattern: wanted });
    }
  }
  return drift;
}

function audienceDrift(trusts: readonly Trust[], expected: readonly string[] | undefined): Drift[] {
  if (expected === undefined) return []; // any audience is fine with the team
  const drift: Drift[] = [];
  const admitted = trusts.map((trust) => trust.audiences ?? null);
  if (admitted.some((audiences) => audiences === null)) {
    drift.push({ kind: 'admits', what: 'audience', pattern: null });
  } else {
    for (const audience of admitted.flat() as string[]) {
      if (!expected.some((wanted) => covers(wanted, audience)))
        drift.push({ kind: 'admits', what: 'audience', pattern: audience });
    }
  }
  return drift;
}

/**
 * Where a role's trusts and the policy's expectations for it disagree: patterns the trust admits
 * that no expectation covers (or any subject at all), and expected patterns the trust admits no
 * subject of (those workloads would be refused). Empty when they agree or nothing is expected.
 */
export function driftBetween(trusts: readonly Trust[], expectations: readonly Expectation[]): Drift[] {
  if (expectations.length === 0 || trusts.length === 0) return [];
  const subjects = expectations.flatMap((expectation) => expectation.subjects);
  const audiences = expectations.some((expectation) => expectation.audiences === undefined)
    ? undefined
    : expectations.flatMap((expectation) => expectation.audiences ?? []);
  return [...subjectDrift(trusts, subjects), ...audienceDrift(trusts, audiences)];
}

/** A drift in words, for alerts and reports. */
export function describeDrift(drift: Drift): string {
  const what = drift.pattern ?? `any ${drift.what}`;
  return drift.kind === 'admits'
    ? `the cloud admits ${what}, which the policy does not expect`
    : `the policy expects ${what}, which the trust refuses`;
}

/**
 * Where a pool's providers and the policy's expectations for the pool's principals disagree: a
 * condition that admits other owners' tokens while every expected subject names an owner, and an
 * exact expected subject that no provider's condition admits. Patterns with wildcards are not
 * evaluated (a condition cannot be enumerated); undecided subjects are not reported.
 */
export function poolDriftBetween(
  trusts: readonly Trust[],
  expectations: readonly Expectation[],
  judge: ConditionJudge,
): Drift[] {
  if (expectations.length === 0 || trusts.length === 0) return [];
  const expected = expectations.flatMap((expectation) => expectation.subjects);
  const drift: Drift[] = [];
  const ownerFixed = expected.every((pattern) => /^(repo|project_path):[^*?/:]+\//.test(pattern));
  if (ownerFixed && trusts.some((trust) => judge.ownerScoping(trust).kind === 'open'))
    drift.push({ kind: 'admits', what: 'subject', pattern: "another owner's tokens" });
  for (const subject of expected) {
    if (/[*?]/.test(subject)) continue;
    const verdicts = trusts.map((trust) => judge.admitsSubject(trust, subject));
    if (verdicts.every((verdict) => verdict === false))
      drift.push({ kind: 'refuses', what: 'subject', pattern: subject });
  }
  return drift;
}
