import { Environment } from '@marcbachmann/cel-js';
import type { ConditionJudge, ConditionVerdict, Trust } from '../detect/trusts.js';

/** An owner that is nobody's: every token built from it belongs to someone outside the team. */
const PROBE_OWNER = 'tokentrail-probe';
const PROBE_ID = '9999999999';
/** Probes evaluated per condition before giving up with `unknown` (each is one CEL evaluation). */
const MAX_PROBES = 20_000;

/**
 * How a shared issuer's claims depend on the token's owner. `owned` claims can only carry the
 * probe owner (given the attacker-chosen rest of the value, `tail`); `fixed` ones carry the
 * probe's own value; any other claim is the token holder's choice: the condition's literals are
 * tried there, since that is what an attacker would send.
 */
interface IssuerClaims {
  readonly owned: Readonly<Record<string, (tail: string) => string>>;
  readonly fixed: Readonly<Record<string, string>>;
  readonly defaults: Readonly<Record<string, string>>;
}

const GITHUB: IssuerClaims = {
  owned: {
    sub: (tail) => `repo:${PROBE_OWNER}/${tail}`,
    repository: (tail) => `${PROBE_OWNER}/${tail}`,
    workflow_ref: (tail) => `${PROBE_OWNER}/${tail}`,
    job_workflow_ref: (tail) => `${PROBE_OWNER}/${tail}`,
  },
  fixed: {
    repository_owner: PROBE_OWNER,
    repository_owner_id: PROBE_ID,
    repository_id: PROBE_ID,
    enterprise: PROBE_OWNER,
    enterprise_id: PROBE_ID,
    actor: PROBE_OWNER,
    actor_id: PROBE_ID,
  },
  defaults: {
    sub: 'probe:ref:refs/heads/main',
    repository: 'probe',
    workflow_ref: 'probe/.github/workflows/ci.yml@refs/heads/main',
    job_workflow_ref: 'probe/.github/workflows/ci.yml@refs/heads/main',
  },
};

const GITLAB: IssuerClaims = {
  owned: {
    sub: (tail) => `project_path:${PROBE_OWNER}/${tail}`,
    project_path: (tail) => `${PROBE_OWNER}/${tail}`,
    ci_config_ref_uri: (tail) => `gitlab.com/${PROBE_OWNER}/${tail}`,
  },
  fixed: {
    namespace_path: PROBE_OWNER,
    namespace_id: PROBE_ID,
    project_id: PROBE_ID,
    user_login: PROBE_OWNER,
    user_id: PROBE_ID,
  },
  defaults: {
    sub: 'probe:ref_type:branch:ref:main',
    project_path: 'probe',
    ci_config_ref_uri: 'probe//.gitlab-ci.yml@refs/heads/main',
  },
};

const TERRAFORM_CLOUD: IssuerClaims = {
  owned: {
    sub: (tail) => `organization:${PROBE_OWNER}:${tail}`,
    terraform_full_workspace: (tail) => `organization:${PROBE_OWNER}:${tail}`,
  },
  fixed: { terraform_organization_name: PROBE_OWNER, terraform_organization_id: `org-${PROBE_ID}` },
  defaults: {
    sub: 'project:probe:workspace:probe:run_phase:apply',
    terraform_full_workspace: 'project:probe:workspace:probe',
  },
};

function claimsOf(issuer: string | null | undefined): IssuerClaims | null {
  const host = /^https:\/\/([^/]+)/.exec(issuer ?? '')?.[1]?.toLowerCase();
  if (host === 'token.actions.githubusercontent.com') return GITHUB;
  if (host === 'gitlab.com') return GITLAB;
  if (host === 'app.terraform.io') return TERRAFORM_CLOUD;
  return null;
}

interface AstNode {
  readonly op: string;
  readonly args: unknown;
  readonly start?: number;
  readonly end?: number;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).op === 'string';
}

function visit(value: unknown, seen: (node: AstNode) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, seen);
    return;
  }
  if (!isNode(value)) return;
  seen(value);
  visit(value.args, seen);
}

function isId(value: unknown, name: string): boolean {
  return isNode(value) && value.op === 'id' && value.args === name;
}

interface ExpressionFacts {
  readonly literals: Set<string>;
  readonly claims: Set<string>;
  readonly matchesRegex: boolean;
  /** Where `google` is named, to rename it: the library reserves `google` for protobuf types. */
  readonly google: { start: number; end: number }[];
}

function factsOf(ast: unknown): ExpressionFacts {
  const facts: ExpressionFacts = { literals: new Set(), claims: new Set(), matchesRegex: false, google: [] };
  let matchesRegex = false;
  visit(ast, (node) => {
    const args = Array.isArray(node.args) ? node.args : [];
    if (node.op === 'value' && typeof node.args === 'string') facts.literals.add(node.args);
    else if (node.op === '.' && isId(args[0], 'assertion') && typeof args[1] === 'string')
      facts.claims.add(args[1]);
    else if (node.op === '[]' && isId(args[0], 'assertion') && isNode(args[1]) && args[1].op === 'value')
      facts.claims.add(String(args[1].args));
    else if ((node.op === 'rcall' || node.op === 'call') && args[0] === 'matches') matchesRegex = true;
    else if (isId(node, 'google') && node.start !== undefined && node.end !== undefined)
      facts.google.push({ start: node.start, end: node.end });
  });
  return { ...facts, matchesRegex };
}

type Compiled = (context: Record<string, unknown>) => unknown;

const environment = new Environment({ unlistedVariablesAreDyn: true });
const GOOGLE_ALIAS = 'tokentrail_google';

function compile(source: string): { run: Compiled; facts: ExpressionFacts } {
  const parsed = environment.parse(source);
  const facts = factsOf(parsed.ast);
  if (facts.google.length === 0) return { run: parsed, facts };
  let renamed = source;
  for (const { start, end } of [...facts.google].sort((a, b) => b.start - a.start)) {
    renamed = `${renamed.slice(0, start)}${GOOGLE_ALIAS}${renamed.slice(end)}`;
  }
  return { run: environment.parse(renamed), facts };
}

function holds(run: Compiled, context: Record<string, unknown>): boolean {
  try {
    return run(context) === true;
  } catch {
    // A condition that fails to evaluate (a missing claim or attribute) refuses the token.
    return false;
  }
}

/** The values an attacker can give one claim: the condition's literals, or what a real token has. */
function candidates(claim: string, claims: IssuerClaims, literals: readonly string[]): string[] {
  const fixed = claims.fixed[claim];
  if (fixed !== undefined) return [fixed];
  const owned = claims.owned[claim];
  const tails = new Set<string>();
  const fallback = claims.defaults[claim];
  if (fallback !== undefined) tails.add(fallback);
  for (const literal of literals) {
    tails.add(literal);
    const slash = literal.indexOf('/');
    if (owned && slash >= 0) tails.add(literal.slice(slash + 1));
  }
  if (owned) return [...tails].map(owned);
  return [...tails, 'probe'];
}

function* combinations(
  fields: readonly string[],
  values: readonly string[][],
): Generator<Record<string, string>> {
  const index = fields.map(() => 0);
  while (true) {
    yield Object.fromEntries(fields.map((field, i) => [field, values[i]![index[i]!]!]));
    let position = fields.length - 1;
    while (position >= 0 && index[position] === values[position]!.length - 1) index[position--] = 0;
    if (position < 0) return;
    index[position]!++;
  }
}

function attributesOf(
  mapping: readonly [string, Compiled][],
  assertion: Record<string, string>,
): { attribute: Record<string, unknown>; google: Record<string, unknown> } {
  const attribute: Record<string, unknown> = {};
  const google: Record<string, unknown> = {};
  for (const [target, run] of mapping) {
    let value: unknown;
    try {
      value = run({ assertion });
    } catch {
      continue;
    }
    if (target.startsWith('attribute.')) attribute[target.slice('attribute.'.length)] = value;
    else if (target.startsWith('google.')) google[target.slice('google.'.length)] = value;
  }
  return { attribute, google };
}

/** The claims of an admitting probe worth showing: those an attacker chose, and the owner's name. */
function telling(assertion: Record<string, string>, claims: IssuerClaims): Record<string, string> {
  const shown = Object.entries(assertion).filter(([claim, value]) => {
    if (claims.fixed[claim] !== undefined) return false;
    const fallback = claims.defaults[claim];
    const owned = claims.owned[claim];
    return fallback === undefined || owned === undefined || owned(fallback) !== value;
  });
  return Object.fromEntries(shown);
}

/**
 * Whether a provider's attribute condition keeps out tokens of other owners on a shared issuer
 * (GitHub, gitlab.com, Terraform Cloud): the condition and the attribute mapping it reads are
 * evaluated with CEL against tokens of an owner that is nobody's, whose owner-free claims take
 * the condition's own literals (`ref`, `event_name`…). One admitted token is proof the condition
 * is open; none admitted is `scoped`, except where a regex (`matches`) could admit values no
 * literal spells: then `unknown`, as for conditions that do not parse or have too many probes.
 */
interface CompiledTrust {
  readonly condition: Compiled;
  readonly mapping: readonly [string, Compiled][];
  readonly facts: readonly ExpressionFacts[];
}

/** The condition and mapping parsed, or the parse error's first line. */
function compileTrust(trust: Trust, condition: string): CompiledTrust | string {
  const facts: ExpressionFacts[] = [];
  try {
    const compiled = compile(condition);
    facts.push(compiled.facts);
    const mapping = Object.entries(trust.mapping ?? { 'google.subject': 'assertion.sub' }).map(
      ([target, source]): [string, Compiled] => {
        const parsed = compile(source);
        facts.push(parsed.facts);
        return [target, parsed.run];
      },
    );
    return { condition: compiled.run, mapping, facts };
  } catch (error) {
    return (error as Error).message.split('\n')[0]!;
  }
}

export function judgeOwnerScoping(trust: Trust): ConditionVerdict {
  const claims = claimsOf(trust.issuer);
  if (claims === null) return { kind: 'unknown', reason: 'not a shared issuer' };
  if (!trust.condition) return { kind: 'open', example: {} };
  const compiled = compileTrust(trust, trust.condition);
  if (typeof compiled === 'string')
    return { kind: 'unknown', reason: `the condition does not parse: ${compiled}` };
  const { condition, mapping, facts } = compiled;
  const literals = [...new Set(facts.flatMap((fact) => [...fact.literals]))];
  const fields = [...new Set(facts.flatMap((fact) => [...fact.claims]))].sort();
  const values = fields.map((field) => candidates(field, claims, literals));
  if (values.reduce((total, list) => total * list.length, 1) > MAX_PROBES)
    return { kind: 'unknown', reason: 'too many claim values to try' };
  for (const assertion of combinations(fields, values)) {
    const { attribute, google } = attributesOf(mapping, assertion);
    if (holds(condition, { assertion, attribute, [GOOGLE_ALIAS]: google })) {
      return { kind: 'open', example: telling(assertion, claims) };
    }
  }
  return facts.some((fact) => fact.matchesRegex)
    ? { kind: 'unknown', reason: 'a regex (matches) could admit values no probe spells' }
    : { kind: 'scoped' };
}

/** The claims a subject spells out: a GitHub or gitlab.com subject names its repository and ref. */
function claimsFromSubject(subject: string): Record<string, string> {
  const claims: Record<string, string> = { sub: subject };
  const github = /^repo:([^/:]+)\/([^:]+):(.*)$/.exec(subject);
  if (github) {
    const [, owner, repository, rest] = github as unknown as [string, string, string, string];
    claims.repository = `${owner}/${repository}`;
    claims.repository_owner = owner;
    if (rest.startsWith('ref:')) {
      claims.ref = rest.slice('ref:'.length);
      claims.ref_type = claims.ref.startsWith('refs/tags/') ? 'tag' : 'branch';
    } else if (rest.startsWith('environment:')) claims.environment = rest.slice('environment:'.length);
    else if (rest === 'pull_request') claims.event_name = 'pull_request';
    return claims;
  }
  const gitlab = /^project_path:([^:]+):ref_type:([^:]+):ref:(.*)$/.exec(subject);
  if (gitlab) {
    const [, path, refType, ref] = gitlab as unknown as [string, string, string, string];
    claims.project_path = path;
    claims.namespace_path = path.slice(0, Math.max(0, path.lastIndexOf('/')));
    claims.ref_type = refType;
    claims.ref = ref;
  }
  return claims;
}

/**
 * Whether a provider's condition admits a token with this subject, judged from the claims the
 * subject spells out (a GitHub subject names its repository, owner and ref). Null when the
 * condition or mapping reads a claim the subject does not carry, or does not parse: undecided.
 */
export function admitsSubject(trust: Trust, subject: string): boolean | null {
  if (!trust.condition) return true;
  const compiled = compileTrust(trust, trust.condition);
  if (typeof compiled === 'string') return null;
  const assertion = claimsFromSubject(subject);
  if (compiled.facts.some((fact) => [...fact.claims].some((claim) => !(claim in assertion)))) return null;
  const { attribute, google } = attributesOf(compiled.mapping, assertion);
  return holds(compiled.condition, { assertion, attribute, [GOOGLE_ALIAS]: google });
}

export const celConditionJudge: ConditionJudge = { ownerScoping: judgeOwnerScoping, admitsSubject };
