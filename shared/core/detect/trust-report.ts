import { IMPERSONATION_ROLES, poolMembersPrefix } from '../identity/gcp-identity.js';
import type { QueryResult } from '../queries/query-result.js';
import { expectationsFor, type Policy, stringLike } from './policy.js';
import { type Drift, describeDrift, driftBetween, poolDriftBetween } from './trust-drift.js';
import { trustWeaknesses } from './trust-weakness.js';
import {
  applyTrustChange,
  type ConditionJudge,
  type FederatedGrant,
  type ScannedPrincipal,
  type Trust,
} from './trusts.js';

/** Subjects that actually became a principal in the window (from the store's exchanges). */
export interface ObservedUse {
  readonly principal: string;
  readonly subject: string;
  readonly count: number;
}

export type TrustVerdict = 'weak' | 'drift' | 'ok';

/** One principal in a trust scan: what the cloud admits, what the team expects, who actually came. */
export interface TrustReportLine {
  readonly cloud: 'aws' | 'gcp';
  readonly kind: ScannedPrincipal['kind'];
  readonly principal: string;
  readonly issuer: string | null;
  readonly audiences: string | null;
  /** The admitted subject patterns, conditions or federated members, in words. */
  readonly admits: string;
  readonly verdict: TrustVerdict;
  readonly reasons: readonly string[];
  /** Subjects that became the principal in the window, most frequent first, with counts. */
  readonly used: readonly { subject: string; count: number }[];
  /** Admitted subject patterns no observed subject matched: the narrower trust the team could adopt. */
  readonly unused: readonly string[];
  readonly source: string;
}

const WHOLE_POOL =
  /^principalSet:\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+\/\*$/;

function usesOf(
  scanned: ScannedPrincipal,
  uses: readonly ObservedUse[],
): { subject: string; count: number }[] {
  const prefix = scanned.kind === 'pool' ? poolMembersPrefix(scanned.principal) : null;
  const counts = new Map<string, number>();
  for (const use of uses) {
    const mine = prefix !== null ? use.principal.startsWith(prefix) : use.principal === scanned.principal;
    if (mine) counts.set(use.subject, (counts.get(use.subject) ?? 0) + use.count);
  }
  return [...counts]
    .map(([subject, count]) => ({ subject, count }))
    .sort((a, b) => b.count - a.count || (a.subject < b.subject ? -1 : 1));
}

function list(values: readonly string[] | null | undefined, none: string): string {
  return values === null || values === undefined || values.length === 0 ? none : values.join(' ');
}

function admitsText(scanned: ScannedPrincipal): string {
  if (scanned.kind === 'role')
    return scanned.trusts.map((trust) => list(trust.subjects, 'any subject')).join(' | ');
  if (scanned.kind === 'pool')
    return (
      scanned.trusts
        .map((trust) => (trust.condition ? `condition: ${trust.condition}` : 'any token of the issuer'))
        .join(' | ') || 'no provider'
    );
  return scanned.grants.map((grant) => `${grant.member} (${grant.role})`).join(' | ');
}

/** Expectations for a pool's principals (`principal://…/POOL/subject/…`), matched on the subject prefix. */
function poolExpectations(policy: Policy, principalSet: string) {
  const members = poolMembersPrefix(principalSet);
  return members === null ? [] : expectationsFor(policy, `${members}subject/*`);
}

function driftOf(scanned: ScannedPrincipal, policy: Policy, conditions: ConditionJudge | undefined): Drift[] {
  if (scanned.kind === 'role')
    return driftBetween(scanned.trusts, expectationsFor(policy, scanned.principal));
  if (scanned.kind === 'pool' && conditions)
    return poolDriftBetween(scanned.trusts, poolExpectations(policy, scanned.principal), conditions);
  return [];
}

function grantWeaknesses(grants: readonly FederatedGrant[]): string[] {
  return grants
    .filter((grant) => WHOLE_POOL.test(grant.member) && grant.condition === null)
    .map((grant) => `a whole pool is granted ${grant.role}: every identity its providers admit`);
}

function unusedPatterns(trusts: readonly Trust[], used: readonly { subject: string }[]): string[] {
  const patterns = trusts.flatMap((trust) => trust.subjects ?? []);
  return patterns.filter((pattern) => !used.some((use) => stringLike(pattern, use.subject)));
}

function distinct(values: readonly (string | null | undefined)[]): string | null {
  const present = [...new Set(values.filter((value): value is string => typeof value === 'string'))];
  return present.length === 0 ? null : present.join(' ');
}

/**
 * Per principal: its trust as scanned, the verdict (`weak` when it admits far more than one
 * workload, judged as weak-trust judges a change; `drift` when it disagrees with the policy's
 * expect; else `ok`), the subjects that actually became it in the window and the admitted
 * patterns none of them used. Sorted weak first, then drift, then by principal.
 */
export function trustReport(
  principals: readonly ScannedPrincipal[],
  uses: readonly ObservedUse[],
  policy: Policy,
  conditions?: ConditionJudge,
): TrustReportLine[] {
  const lines = principals.map((scanned): TrustReportLine => {
    const target = scanned.kind === 'role' ? 'role' : scanned.kind === 'pool' ? 'provider' : 'other';
    const weak = [
      ...scanned.trusts.flatMap((trust) =>
        trustWeaknesses(target, trust, conditions).map((weakness) => weakness.reason),
      ),
      ...grantWeaknesses(scanned.grants),
    ];
    const drift = driftOf(scanned, policy, conditions).map(describeDrift);
    const used = usesOf(scanned, uses);
    return {
      cloud: scanned.cloud,
      kind: scanned.kind,
      principal: scanned.principal,
      issuer: distinct(scanned.trusts.map((trust) => trust.issuer)),
      audiences: distinct(scanned.trusts.flatMap((trust) => trust.audiences ?? [])),
      admits: admitsText(scanned),
      verdict: weak.length > 0 ? 'weak' : drift.length > 0 ? 'drift' : 'ok',
      reasons: [...weak, ...drift],
      used,
      unused: scanned.kind === 'role' ? unusedPatterns(scanned.trusts, used) : [],
      source: scanned.source,
    };
  });
  const rank: Record<TrustVerdict, number> = { weak: 0, drift: 1, ok: 2 };
  return lines.sort(
    (a, b) =>
      rank[a.verdict] - rank[b.verdict] ||
      (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0),
  );
}

export const TRUST_REPORT_COLUMNS = [
  'verdict',
  'cloud',
  'kind',
  'principal',
  'issuer',
  'audiences',
  'admits',
  'used',
  'unused',
  'reasons',
] as const;

/**
 * The report as a query result, so the table, JSON and CSV renderers print it like any query;
 * `mostUsed` keeps the most frequent subjects only (for a table), counting the rest.
 */
export function trustReportResult(
  lines: readonly TrustReportLine[],
  options: { readonly mostUsed?: number } = {},
): QueryResult {
  const usedText = (used: TrustReportLine['used']): string | null => {
    if (used.length === 0) return null;
    const shown = used.slice(0, options.mostUsed ?? used.length);
    const more = used.length - shown.length;
    return `${shown.map((use) => `${use.subject} (${use.count})`).join(' ')}${more > 0 ? ` +${more} more` : ''}`;
  };
  return {
    columns: [...TRUST_REPORT_COLUMNS],
    rows: lines.map((line) => ({
      verdict: line.verdict,
      cloud: line.cloud,
      kind: line.kind,
      principal: line.principal,
      issuer: line.issuer,
      audiences: line.audiences,
      admits: line.admits,
      used: usedText(line.used),
      unused: line.unused.length === 0 ? null : line.unused.join(' '),
      reasons: line.reasons.length === 0 ? null : line.reasons.join('; '),
    })),
  };
}

/** A trust or grant change as the store holds it (the `trust-history` query's rows). */
export interface StoredTrustChange {
  readonly cloud: string;
  readonly principal: string | null;
  readonly resource: string | null;
  readonly action: string;
  readonly trust: readonly Trust[] | null;
  readonly grants: readonly { action: string | null; role: string | null; member: string | null }[] | null;
}

const FEDERATED_MEMBER = /^principal(Set)?:\/\//;

function grantKind(resource: string): ScannedPrincipal['kind'] {
  if (resource.startsWith('projects/') && !resource.includes('/buckets/')) return 'project';
  if (resource.startsWith('gs://')) return 'bucket';
  return /@.*\.gserviceaccount\.com$/.test(resource) ? 'service-account' : 'bucket';
}

/**
 * The trust each principal has now, as the store's history of successful changes says it (oldest
 * first): a role's last policy, a pool's providers (an update changes only the fields it names,
 * a delete removes the provider), and the federated grants that were added and not removed since.
 * The offline equivalent of reading the cloud, limited to what the logs held.
 */
export function trustsFromChanges(changes: readonly StoredTrustChange[]): ScannedPrincipal[] {
  const roles = new Map<string, Trust[]>();
  const providers = new Map<string, Map<string, Trust>>();
  const grants = new Map<string, Map<string, FederatedGrant>>();
  for (const change of changes) {
    if (change.principal === null) continue;
    if (change.cloud === 'aws' && change.trust !== null && /Role|AssumeRolePolicy/.test(change.action)) {
      roles.set(change.principal, [...change.trust]);
    } else if (change.cloud === 'gcp' && change.trust !== null && change.resource !== null) {
      const pool = providers.get(change.principal) ?? new Map<string, Trust>();
      providers.set(change.principal, pool);
      const [next] = change.trust;
      if (next === undefined) pool.delete(change.resource);
      else if (next.updated === undefined) pool.set(change.resource, next);
      else pool.set(change.resource, applyTrustChange(pool.get(change.resource), next));
    }
    for (const delta of change.grants ?? []) {
      const resource = change.resource ?? change.principal;
      if (delta.member === null || delta.role === null || !FEDERATED_MEMBER.test(delta.member)) continue;
      const held = grants.get(resource) ?? new Map<string, FederatedGrant>();
      grants.set(resource, held);
      const key = `${delta.role}\u0000${delta.member}`;
      if (delta.action === 'REMOVE') held.delete(key);
      else held.set(key, { role: delta.role, member: delta.member, condition: null });
    }
  }
  return [
    ...[...roles].map(([principal, trusts]) => ({
      cloud: 'aws' as const,
      kind: 'role' as const,
      principal,
      trusts,
      grants: [],
      source: 'the store',
    })),
    ...[...providers].map(([principal, pool]) => ({
      cloud: 'gcp' as const,
      kind: 'pool' as const,
      principal,
      trusts: [...pool.values()],
      grants: [],
      source: [...pool.keys()].join(' ') || 'the store',
    })),
    ...[...grants]
      .filter(([, held]) => held.size > 0)
      .map(([resource, held]) => ({
        cloud: 'gcp' as const,
        kind: grantKind(resource),
        principal: resource,
        trusts: [],
        grants: [...held.values()].filter(
          (grant) => IMPERSONATION_ROLES.has(grant.role) || grant.role.startsWith('roles/storage.'),
        ),
        source: 'the store',
      })),
  ];
}
