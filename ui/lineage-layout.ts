import dagre from '@dagrejs/dagre';
import type { Lineage, LineageNode, NodeKind } from '../shared/core/report/lineage.js';

export const NODE_WIDTH = 270;
export const NODE_HEIGHT = 24;
const TOP = 24;
/** Past this many nodes dagre takes seconds (0.5 s at 190 nodes, 4.5 s at 540, in Node here). */
export const ROUTED_LAYOUT_MAX_NODES = 150;
const COLUMN_GAP = 90;
const ROW_HEIGHT = NODE_HEIGHT + 10;

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LineageLayout {
  /** Each node's top-left corner. */
  readonly nodes: ReadonlyMap<string, Point>;
  /** Each edge's path, as SVG path data. */
  readonly edges: ReadonlyMap<string, string>;
  /** The left edge of each drawn layer, for its heading. */
  readonly columns: ReadonlyMap<NodeKind, number>;
  readonly width: number;
  readonly height: number;
}

/** Through each point with horizontal tangents, so an edge leaves and enters its nodes sideways. */
function smooth(points: readonly Point[]): string {
  let path = `M${points[0]!.x},${points[0]!.y}`;
  for (let index = 1; index < points.length; index++) {
    const from = points[index - 1]!;
    const to = points[index]!;
    const middle = (from.x + to.x) / 2;
    path += ` C${middle},${from.y} ${middle},${to.y} ${to.x},${to.y}`;
  }
  return path;
}

/**
 * A layered (Sugiyama) layout by dagre, left to right: each kind of node in its own layer (an edge
 * that skips the hop layer is at least two layers long), crossings reduced by dagre's ordering, and
 * an edge that skips a layer routed around the nodes there.
 */
export function layoutLineage(lineage: Lineage, layers: readonly NodeKind[]): LineageLayout {
  return lineage.nodes.length > ROUTED_LAYOUT_MAX_NODES
    ? columnLayout(lineage, layers)
    : routedLayout(lineage, layers);
}

function routedLayout(lineage: Lineage, layers: readonly NodeKind[]): LineageLayout {
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 10, ranksep: 90, marginx: 10, marginy: TOP });
  graph.setDefaultEdgeLabel(() => ({}));
  const layer = new Map(lineage.nodes.map((node) => [node.id, layers.indexOf(node.kind)]));
  for (const node of lineage.nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of lineage.edges)
    graph.setEdge(edge.from, edge.to, { minlen: layer.get(edge.to)! - layer.get(edge.from)! });
  dagre.layout(graph);

  const nodes = new Map<string, Point>();
  const columns = new Map<NodeKind, number>();
  for (const node of lineage.nodes) {
    const { x, y } = graph.node(node.id);
    const corner = { x: x - NODE_WIDTH / 2, y: y - NODE_HEIGHT / 2 };
    nodes.set(node.id, corner);
    columns.set(node.kind, Math.min(columns.get(node.kind) ?? corner.x, corner.x));
  }
  const edges = new Map<string, string>();
  for (const edge of lineage.edges) {
    const from = nodes.get(edge.from)!;
    const to = nodes.get(edge.to)!;
    // dagre's ends meet the boxes wherever the line points; start and end at their sides instead.
    const inner = (graph.edge(edge.from, edge.to).points ?? []).slice(1, -1);
    edges.set(
      edge.id,
      smooth([
        { x: from.x + NODE_WIDTH, y: from.y + NODE_HEIGHT / 2 },
        ...inner,
        { x: to.x, y: to.y + NODE_HEIGHT / 2 },
      ]),
    );
  }
  const { width = 0, height = 0 } = graph.graph();
  return { nodes, edges, columns, width, height };
}

/**
 * The quick layout for large graphs: one column per layer, each node near the mean row of its
 * neighbours on the left (one barycenter pass), edges drawn straight across. Hop nodes, few, sit
 * half a row down so edges that skip their column pass between them.
 */
function columnLayout(lineage: Lineage, layers: readonly NodeKind[]): LineageLayout {
  const row = new Map<string, number>();
  const incoming = new Map<string, string[]>();
  for (const edge of lineage.edges) incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), edge.from]);
  const mean = (node: LineageNode) => {
    const rows = (incoming.get(node.id) ?? []).flatMap((from) => {
      const at = row.get(from);
      return at === undefined ? [] : [at];
    });
    return rows.length === 0 ? 0 : rows.reduce((sum, at) => sum + at, 0) / rows.length;
  };
  const nodes = new Map<string, Point>();
  const columns = new Map<NodeKind, number>();
  let rows = 1;
  layers.forEach((kind, column) => {
    const x = 10 + column * (NODE_WIDTH + COLUMN_GAP);
    columns.set(kind, x);
    const layer = lineage.nodes
      .filter((node) => node.kind === kind)
      .map((node) => ({ node, at: column === 0 ? -node.count : mean(node) }))
      .sort((a, b) => a.at - b.at || b.node.count - a.node.count);
    let next = 0;
    for (const { node, at } of layer) {
      const place = kind === 'hop' ? Math.max(next, Math.round(at)) + 0.5 : next;
      next = Math.floor(place) + 1;
      row.set(node.id, place);
      nodes.set(node.id, { x, y: TOP + place * ROW_HEIGHT });
    }
    rows = Math.max(rows, next);
  });
  const edges = new Map<string, string>();
  for (const edge of lineage.edges) {
    const from = nodes.get(edge.from)!;
    const to = nodes.get(edge.to)!;
    edges.set(
      edge.id,
      smooth([
        { x: from.x + NODE_WIDTH, y: from.y + NODE_HEIGHT / 2 },
        { x: to.x, y: to.y + NODE_HEIGHT / 2 },
      ]),
    );
  }
  return {
    nodes,
    edges,
    columns,
    width: 20 + layers.length * NODE_WIDTH + (layers.length - 1) * COLUMN_GAP,
    height: TOP + rows * ROW_HEIGHT + 10,
  };
}
