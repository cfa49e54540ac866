import { asObject, type JsonObject } from '../json-access.js';
import { issuerFromProvider } from './aws-identity.js';

/** One trust a role's trust policy sets: an entry of the `trust` column. */
export interface FederatedTrust {
  readonly issuer: string | null;
  readonly audiences: readonly string[] | null;
  readonly subjects: readonly string[] | null;
  readonly condition: string | null;
}

/** A trust and the federated principal it names as written (an OIDC provider ARN or a bare host). */
export interface NamedTrust {
  readonly provider: string;
  readonly trust: FederatedTrust;
}

/** Identity providers a trust policy names bare, without an IAM OIDC provider. */
const WELL_KNOWN_PROVIDERS = new Set([
  'accounts.google.com',
  'cognito-identity.amazonaws.com',
  'graph.facebook.com',
  'www.amazon.com',
]);

const OIDC_PROVIDER_ARN = /^arn:[a-z-]+:iam::[^:]*:oidc-provider\/(.+)$/;

/**
 * Operators whose values bound a single-valued claim such as `sub` or `aud`, exact ones first.
 * The IfExists forms bound it too: an OIDC token always carries `sub` and `aud`. For a
 * single-valued key ForAnyValue / ForAllValues test the one value like the plain operator.
 */
const OPERATOR = /^(?:ForAnyValue:|ForAllValues:)?String(Equals|Like)(?:IfExists)?$/i;

/**
 * The policy text as logged: JSON, or URL-encoded JSON (`%7B%22Version…`) as some clients send
 * it and as IAM returns it. Null when neither parses to an object.
 */
export function parsePolicyDocument(text: string | null): JsonObject | null {
  if (text === null) return null;
  const parsed = tryJson(text);
  if (parsed !== null || !text.includes('%')) return parsed;
  try {
    return tryJson(decodeURIComponent(text));
  } catch {
    return null;
  }
}

function tryJson(text: string): JsonObject | null {
  try {
    return asObject(JSON.parse(text));
  } catch {
    return null;
  }
}

function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter((item): item is string => typeof item === 'string' && item !== '');
}

/** IAM action names match case-insensitively, with `*` and `?` wildcards (`sts:*`, `*`, `sts:AssumeRole*`). */
function actionAdmits(pattern: string, action: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(action);
}

/** `<host/path>` the condition keys of a federated principal start with, or null if it is not an OIDC one. */
function conditionPrefix(federated: string): string | null {
  const arn = OIDC_PROVIDER_ARN.exec(federated);
  if (arn) return arn[1]!;
  return WELL_KNOWN_PROVIDERS.has(federated.toLowerCase()) ? federated : null;
}

/** An exact value as an IAM-style pattern: its own `*` and `?` are literal (`${*}`, `${?}` as in StringLike). */
function exactPattern(value: string): string {
  return value.replace(/[*?]/g, (char) => `\${${char}}`);
}

/**
 * The values a statement's Condition admits for one key (compared case-insensitively, as IAM
 * does), or null when no String operator bounds it. A key under both an exact and a Like
 * operator must pass both; the exact values are kept, a superset of what passes both.
 */
function admitted(condition: JsonObject | null, key: string): string[] | null {
  if (condition === null) return null;
  let like: string[] | null = null;
  let exact: string[] | null = null;
  const wanted = key.toLowerCase();
  for (const [operator, block] of Object.entries(condition)) {
    const kind = OPERATOR.exec(operator)?.[1]?.toLowerCase();
    const keys = asObject(block);
    if (kind === undefined || keys === null) continue;
    for (const [name, value] of Object.entries(keys)) {
      if (name.toLowerCase() !== wanted) continue;
      if (kind === 'equals') exact = [...(exact ?? []), ...listOf(value).map(exactPattern)];
      else like = [...(like ?? []), ...listOf(value)];
    }
  }
  return exact ?? like;
}

function allowsWebIdentity(statement: JsonObject): boolean {
  return (
    statement.Effect === 'Allow' &&
    listOf(statement.Action).some((action) => actionAdmits(action, 'sts:AssumeRoleWithWebIdentity'))
  );
}

/**
 * The OIDC trusts a role trust policy sets: one per federated principal of each Allow statement
 * whose Action admits sts:AssumeRoleWithWebIdentity, with the `<provider>:sub` and `<provider>:aud`
 * values its Condition admits. Statements for services, accounts or SAML providers are not OIDC
 * trusts, and a Deny or NotAction statement is not read: the list can only say more is admitted
 * than really is. Null when the document does not parse.
 */
export function federatedTrusts(text: string | null): NamedTrust[] | null {
  const policy = parsePolicyDocument(text);
  if (policy === null) return null;
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const trusts: NamedTrust[] = [];
  for (const item of statements) {
    const statement = asObject(item);
    if (statement === null || !allowsWebIdentity(statement)) continue;
    const condition = asObject(statement.Condition);
    for (const federated of listOf(asObject(statement.Principal)?.Federated)) {
      const prefix = conditionPrefix(federated);
      if (prefix === null) continue;
      trusts.push({
        provider: federated,
        trust: {
          issuer: issuerFromProvider(federated),
          audiences: admitted(condition, `${prefix}:aud`),
          subjects: admitted(condition, `${prefix}:sub`),
          condition: statement.Condition == null ? null : JSON.stringify(statement.Condition),
        },
      });
    }
  }
  return trusts;
}
