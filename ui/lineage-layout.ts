import dagre from '@dagrejs/dagre';
import type { Lineage, NodeKind } from '../shared/core/report/lineage.js';

export const NODE_WIDTH = 270;
export const NODE_HEIGHT = 24;
const TOP = 24;

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
