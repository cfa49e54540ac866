/** One who-accessed row, as the WHO_ACCESSED named query returns it. */
export interface AccessRow {
  readonly cloud: string | null;
  readonly bucket: string | null;
  readonly root_subject: string | null;
  readonly subject: string | null;
  readonly principal: string | null;
  readonly count: number;
  readonly failures: number;
}

/**
 * What marks a path as alerted: an alert's subject and principal. An alert without a subject (a trust
 * change, a refused exchange) marks no path.
 */
export interface AlertedPath {
  readonly subject: string | null;
  readonly principal: string | null;
}

/** `hop`: the identity a cross-cloud chain passed through, e.g. an AWS role session exchanged at GCP. */
export type NodeKind = 'subject' | 'hop' | 'principal' | 'bucket';

export interface LineageNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  readonly count: number;
  /** For an aggregate (`repo:OWNER/*`): the owner, which the page can expand. */
  readonly owner?: string;
  /** Indexes of the rows through the node, to list their events. */
  readonly rows: readonly number[];
}

export interface LineageEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly failures: number;
  readonly alerted: boolean;
  /** Indexes of the rows behind the edge, to list their events. */
  readonly rows: readonly number[];
}

export interface Lineage {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
  /** The owners whose subjects were folded into one node. */
  readonly aggregated: readonly string[];
}

export interface LineageOptions {
  /** More distinct subjects than this fold by GitHub repository owner. */
  readonly aggregateAbove?: number;
  /** Owners kept unfolded even past the threshold. */
  readonly expanded?: ReadonlySet<string>;
}

const NONE = '(none)';

/** The subject the lineage starts from: a chain's root subject, else the immediate one. */
export function subjectOf(row: Pick<AccessRow, 'root_subject' | 'subject'>): string {
  return row.root_subject ?? row.subject ?? NONE;
}

/** `acme` for `repo:acme/web:ref:refs/heads/main`; null for anything else. */
export function ownerOf(subject: string): string | null {
  const match = /^repo:([^/:]+)\//.exec(subject);
  return match ? match[1]! : null;
}

/** A chain's intermediate identity: the row's own subject when its chain started elsewhere. */
export function hopOf(row: Pick<AccessRow, 'root_subject' | 'subject'>): string | null {
  return row.root_subject !== null && row.subject !== null && row.root_subject !== row.subject
    ? row.subject
    : null;
}

/** The key joining a row to its events. */
export function rowKey(row: Pick<AccessRow, 'bucket' | 'root_subject' | 'subject' | 'principal'>): string {
  return JSON.stringify([row.bucket, row.root_subject, row.subject, row.principal]);
}

function isAlerted(row: AccessRow, alerts: readonly AlertedPath[]): boolean {
  return alerts.some(
    (alert) =>
      alert.principal !== null &&
      alert.subject !== null &&
      alert.principal === row.principal &&
      (alert.subject === row.subject || alert.subject === row.root_subject),
  );
}

/**
 * Who-accessed rows as a layered graph, subjects -> principals -> buckets, edges weighted by
 * events and failures; a row whose chain started in another cloud goes from its root subject
 * through a hop node (the identity it crossed as) to its principal. Past `aggregateAbove` distinct subjects, GitHub subjects fold into one node
 * per repository owner (unless expanded), so a large organisation stays readable.
 */
export function buildLineage(
  rows: readonly AccessRow[],
  alerts: readonly AlertedPath[],
  options: LineageOptions = {},
): Lineage {
  const threshold = options.aggregateAbove ?? 40;
  const expanded = options.expanded ?? new Set<string>();
  const subjects = new Set(rows.map(subjectOf));
  const fold = subjects.size > threshold;
  const aggregated = new Set<string>();

  const nodes = new Map<
    string,
    { kind: NodeKind; label: string; count: number; owner?: string; rows: number[] }
  >();
  const edges = new Map<
    string,
    { from: string; to: string; count: number; failures: number; alerted: boolean; rows: number[] }
  >();

  const node = (kind: NodeKind, label: string, row: AccessRow, index: number, owner?: string) => {
    const id = JSON.stringify([kind, label]);
    const existing = nodes.get(id);
    if (existing) {
      existing.count += row.count;
      existing.rows.push(index);
    } else
      nodes.set(id, {
        kind,
        label,
        count: row.count,
        ...(owner === undefined ? {} : { owner }),
        rows: [index],
      });
    return id;
  };
  const edge = (from: string, to: string, row: AccessRow, index: number, alerted: boolean) => {
    const id = JSON.stringify([from, to]);
    const existing = edges.get(id);
    if (existing) {
      existing.count += row.count;
      existing.failures += row.failures;
      existing.alerted ||= alerted;
      existing.rows.push(index);
    } else edges.set(id, { from, to, count: row.count, failures: row.failures, alerted, rows: [index] });
  };

  rows.forEach((row, index) => {
    const subject = subjectOf(row);
    const owner = ownerOf(subject);
    const folded = fold && owner !== null && !expanded.has(owner);
    if (folded) aggregated.add(owner);
    const subjectId = folded
      ? node('subject', `repo:${owner}/*`, row, index, owner)
      : node('subject', subject, row, index);
    const principalId = node('principal', row.principal ?? NONE, row, index);
    const bucketId = node('bucket', row.bucket ?? NONE, row, index);
    const alerted = isAlerted(row, alerts);
    const hop = hopOf(row);
    if (hop === null) edge(subjectId, principalId, row, index, alerted);
    else {
      const hopId = node('hop', hop, row, index);
      edge(subjectId, hopId, row, index, alerted);
      edge(hopId, principalId, row, index, alerted);
    }
    edge(principalId, bucketId, row, index, alerted);
  });

  return {
    nodes: [...nodes].map(([id, value]) => ({ id, ...value })),
    edges: [...edges].map(([id, value]) => ({ id, ...value })),
    aggregated: [...aggregated].sort(),
  };
}
