/** A policy file that cannot be used; `problems` says why, one line each. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  /** Each `source:line:column: what is wrong`, in file order. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}
