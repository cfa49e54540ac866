import fc from 'fast-check';
import { type AccessRow, buildLineage, type NodeKind } from '../../shared/core/report/lineage.js';
import { layoutLineage, NODE_HEIGHT, NODE_WIDTH, ROUTED_LAYOUT_MAX_NODES } from '../../ui/lineage-layout.js';

const LAYERS: readonly NodeKind[] = ['subject', 'hop', 'principal', 'bucket'];

const rowArbitrary = (labels: number) =>
  fc.record({
    cloud: fc.constantFrom('aws', 'gcp'),
    bucket: fc.integer({ min: 0, max: labels }).map((n) => `b${n}`),
    root_subject: fc.integer({ min: 0, max: labels }).map((n) => `repo:o${n % 3}/r${n}`),
    subject: fc.option(
      fc.integer({ min: 0, max: 3 }).map((n) => `session-${n}`),
      { nil: null },
    ),
    principal: fc.integer({ min: 0, max: labels }).map((n) => `p${n}`),
    count: fc.integer({ min: 1, max: 50 }),
    failures: fc.constant(0),
  });

/** A row without a chain has its root as its own subject. */
const settled = (row: AccessRow): AccessRow => ({ ...row, subject: row.subject ?? row.root_subject });

function expectLayered(rows: readonly AccessRow[]): void {
  const lineage = buildLineage(rows.map(settled), [], { aggregateAbove: 10_000 });
  const layers = LAYERS.filter((kind) => kind !== 'hop' || lineage.nodes.some((node) => node.kind === 'hop'));
  const layout = layoutLineage(lineage, layers);
  const xOf = new Map<NodeKind, Set<number>>();
  for (const node of lineage.nodes) {
    const { x } = layout.nodes.get(node.id)!;
    xOf.set(node.kind, new Set([...(xOf.get(node.kind) ?? []), Math.round(x)]));
  }
  // One column per kind, in the order of the layers, none overlapping the next.
  const columns = layers.filter((kind) => xOf.has(kind)).map((kind) => [...xOf.get(kind)!]);
  for (const column of columns) expect(column).toHaveLength(1);
  for (let index = 1; index < columns.length; index++)
    expect(columns[index]![0]!).toBeGreaterThanOrEqual(columns[index - 1]![0]! + NODE_WIDTH);
  // No two nodes of a column overlap.
  for (const kind of layers) {
    const ys = lineage.nodes
      .filter((node) => node.kind === kind)
      .map((node) => layout.nodes.get(node.id)!.y)
      .sort((a, b) => a - b);
    for (let index = 1; index < ys.length; index++)
      expect(ys[index]! - ys[index - 1]!).toBeGreaterThanOrEqual(NODE_HEIGHT);
  }
  // Each edge leaves its source's right side and enters its target's left side.
  for (const edge of lineage.edges) {
    const from = layout.nodes.get(edge.from)!;
    const to = layout.nodes.get(edge.to)!;
    const path = layout.edges.get(edge.id)!;
    expect(path.startsWith(`M${from.x + NODE_WIDTH},${from.y + NODE_HEIGHT / 2}`)).toBe(true);
    expect(path.endsWith(` ${to.x},${to.y + NODE_HEIGHT / 2}`)).toBe(true);
  }
  for (const { x, y } of layout.nodes.values()) {
    expect(x + NODE_WIDTH).toBeLessThanOrEqual(layout.width);
    expect(y + NODE_HEIGHT).toBeLessThanOrEqual(layout.height);
  }
}

describe('layoutLineage', () => {
  it('lays a small graph out in layers (dagre), each edge from side to side', () => {
    fc.assert(fc.property(fc.array(rowArbitrary(8), { minLength: 1, maxLength: 25 }), expectLayered), {
      numRuns: 40,
    });
  });

  it(`past ${ROUTED_LAYOUT_MAX_NODES} nodes, lays it out in columns without dagre's cost, with the same shape`, () => {
    const rows = Array.from({ length: 400 }, (_, index) =>
      settled({
        cloud: 'aws',
        bucket: `b${index % 90}`,
        root_subject: `repo:o${index % 7}/r${index % 40}`,
        subject: index % 50 === 0 ? `session-${index % 3}` : null,
        principal: `p${index % 120}`,
        count: 1 + (index % 9),
        failures: 0,
      }),
    );
    expect(buildLineage(rows, [], { aggregateAbove: 10_000 }).nodes.length).toBeGreaterThan(
      ROUTED_LAYOUT_MAX_NODES,
    );
    expectLayered(rows);
  });
});
