import { globMatcher } from '../shared/core/report/glob-filter.js';
import {
  buildLineage,
  hopOf,
  type Lineage,
  type LineageNode,
  type NodeKind,
} from '../shared/core/report/lineage.js';
import type { PageData } from '../shared/core/report/page-data.js';
import { rawEventCommand } from '../shared/core/report/raw-event.js';
import { el, shown, svg, svgText, svgTitle } from './dom.js';

const LAYERS: readonly NodeKind[] = ['subject', 'hop', 'principal', 'bucket'];
const HEADINGS: Record<NodeKind, string> = {
  subject: 'subjects',
  hop: 'cross-cloud hops',
  principal: 'principals',
  bucket: 'buckets',
};
const COLUMN_WIDTH = 420;
const NARROW_COLUMN_WIDTH = 380;
const NODE_WIDTH = 310;
const ROW_HEIGHT = 34;
const NODE_HEIGHT = 24;
const LABEL_CHARS = 34;

export interface Filters {
  bucket: string;
  subject: string;
  principal: string;
}

/** Long labels keep both ends: a subject's repository and a role's or bucket's name at the end. */
function clip(text: string): string {
  if (text.length <= LABEL_CHARS) return text;
  const head = Math.floor((LABEL_CHARS - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (LABEL_CHARS - 1 - head))}`;
}

/**
 * Layers ordered so edges cross less: each node sits near the mean place of its neighbours on the
 * left. The hop layer appears only when a chain crossed clouds.
 */
function ordered(
  lineage: Lineage,
  columns: readonly NodeKind[],
): Map<string, { column: number; row: number }> {
  const place = new Map<string, { column: number; row: number }>();
  const byKind = (kind: NodeKind) => lineage.nodes.filter((node) => node.kind === kind);
  const mean = (node: LineageNode) => {
    const rows = lineage.edges
      .filter((edge) => edge.to === node.id)
      .flatMap((edge) => {
        const row = place.get(edge.from)?.row;
        return row === undefined ? [] : [row];
      });
    return rows.length === 0 ? 0 : rows.reduce((sum, row) => sum + row, 0) / rows.length;
  };
  columns.forEach((kind, column) => {
    if (column === 0) {
      [...byKind(kind)]
        .sort((a, b) => b.count - a.count)
        .forEach((node, row) => {
          place.set(node.id, { column, row });
        });
      return;
    }
    const layer = [...byKind(kind)]
      .map((node) => ({ node, at: mean(node) }))
      .sort((a, b) => a.at - b.at || b.node.count - a.node.count);
    if (kind !== 'hop') {
      layer.forEach(({ node }, row) => {
        place.set(node.id, { column, row });
      });
      return;
    }
    // Few hops: each sits beside its root, half a row down, so the straight edges that span the
    // hop column (which run along row centres) pass between hop nodes, not through them.
    let next = 0;
    for (const { node, at } of layer) {
      const row = Math.max(next, Math.round(at));
      place.set(node.id, { column, row: row + 0.5 });
      next = row + 1;
    }
  });
  return place;
}

export function renderLineage(
  root: HTMLElement,
  data: PageData,
  filters: Filters,
  expanded: Set<string>,
  rerender: () => void,
  token: string | null = null,
): void {
  const bucket = globMatcher(filters.bucket);
  const subject = globMatcher(filters.subject);
  const principal = globMatcher(filters.principal);
  const kept = data.rows.flatMap((row, index) =>
    bucket(row.bucket) && (subject(row.subject) || subject(row.root_subject)) && principal(row.principal)
      ? [index]
      : [],
  );
  const rows = kept.map((index) => data.rows[index]!);
  const lineage = buildLineage(rows, data.alerts, { expanded });
  const columns = LAYERS.filter(
    (kind) => kind !== 'hop' || lineage.nodes.some((node) => node.kind === 'hop'),
  );
  const place = ordered(lineage, columns);
  const columnWidth = columns.length > 3 ? NARROW_COLUMN_WIDTH : COLUMN_WIDTH;
  const height = Math.max(1, ...[...place.values()].map((spot) => Math.ceil(spot.row + 1)));
  const maxCount = Math.max(1, ...lineage.edges.map((edge) => edge.count));

  const drawing = svg('svg', {
    width: columnWidth * (columns.length - 1) + NODE_WIDTH + 20,
    height: height * ROW_HEIGHT + 40,
    role: 'img',
    'aria-label': `lineage: ${columns.map((kind) => HEADINGS[kind]).join(', ')}`,
  });
  columns.forEach((kind, column) => {
    drawing.append(svgText(HEADINGS[kind], { x: 10 + column * columnWidth, y: 14, class: 'heading' }));
  });
  const at = (id: string) => {
    const spot = place.get(id)!;
    return { x: 10 + spot.column * columnWidth, y: 24 + spot.row * ROW_HEIGHT };
  };
  const details = el('div', { className: 'details' });
  const nodeLabel = new Map(lineage.nodes.map((node) => [node.id, node.label]));
  const nodeKind = new Map(lineage.nodes.map((node) => [node.id, node.kind]));

  for (const edge of lineage.edges) {
    const from = at(edge.from);
    const to = at(edge.to);
    const x1 = from.x + NODE_WIDTH;
    const y1 = from.y + NODE_HEIGHT / 2;
    const x2 = to.x;
    const y2 = to.y + NODE_HEIGHT / 2;
    const crosses = nodeKind.get(edge.from) === 'hop' || nodeKind.get(edge.to) === 'hop';
    const group = svg('g', {
      class: `edge${crosses ? ' hop' : ''}${edge.alerted ? ' alerted' : ''}${edge.failures > 0 ? ' failing' : ''}`,
      tabindex: 0,
    });
    const d = `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
    group.append(
      svg('path', { d, class: 'hit' }),
      svg('path', { d, class: 'line', 'stroke-width': 1 + 5 * Math.sqrt(edge.count / maxCount) }),
      svgTitle(
        `${shown(nodeLabel.get(edge.from))} → ${shown(nodeLabel.get(edge.to))}: ${edge.count} events, ${edge.failures} failed${edge.alerted ? ', alerted' : ''}`,
      ),
    );
    group.addEventListener('click', () =>
      showEvents(details, data, kept, token, edge.rows, {
        title: `${nodeLabel.get(edge.from) ?? ''} → ${nodeLabel.get(edge.to) ?? ''}`,
        count: edge.count,
        failures: edge.failures,
      }),
    );
    drawing.append(group);
  }

  for (const node of lineage.nodes) {
    const { x, y } = at(node.id);
    const group = svg('g', { class: `node ${node.kind}${node.owner ? ' aggregate' : ''}`, tabindex: 0 });
    const label = shown(node.label);
    group.append(
      svg('rect', { x, y, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 4 }),
      svgText(clip(label), { x: x + 6, y: y + 16 }),
      svgText(String(node.count), { x: x + NODE_WIDTH - 6, y: y + 16, 'text-anchor': 'end', class: 'count' }),
      svgTitle(node.owner ? `${label}: click to expand` : label),
    );
    const owner = node.owner;
    // A folded owner expands on click; any other node lists the events on all its edges.
    group.addEventListener('click', () => {
      if (owner !== undefined) {
        expanded.add(owner);
        rerender();
      } else {
        const failures = node.rows.reduce((sum, index) => sum + rows[index]!.failures, 0);
        showEvents(details, data, kept, token, node.rows, { title: node.label, count: node.count, failures });
      }
    });
    drawing.append(group);
  }

  const summary = el('p', {
    className: 'summary',
    text: `${rows.length} of ${data.rows.length} paths, ${lineage.nodes.length} nodes${
      columns.includes('hop')
        ? `; ${rows.filter((row) => hopOf(row) !== null).length} crossed clouds (through the hops)`
        : ''
    }${
      lineage.aggregated.length > 0
        ? `; folded by owner: ${lineage.aggregated.join(', ')} (click to expand)`
        : ''
    }${data.eventsTruncated ? `; events listed: the newest ${data.events.length}` : ''}`,
  });
  const legend = el(
    'p',
    { className: 'legend' },
    el('span', { className: 'key alerted', text: 'alerted path' }),
    el('span', { className: 'key failing', text: 'with failures' }),
    el('span', { className: 'key hop', text: 'across clouds' }),
    el('span', { text: 'width: events; click a node or an edge for its events' }),
  );
  const scroller = el('div', { className: 'graph' }, drawing);
  root.replaceChildren(summary, legend, scroller, details);
}

function showEvents(
  details: HTMLElement,
  data: PageData,
  kept: readonly number[],
  token: string | null,
  lineageRows: readonly number[],
  heading: { title: string; count: number; failures: number },
): void {
  const rows = new Set(lineageRows.map((index) => kept[index]!));
  const events = data.events.filter((event) => rows.has(event.row));
  const header = el(
    'tr',
    {},
    ...['time', 'action', 'outcome', 'source IP', 'subject', 'event id', 'raw record'].map((name) =>
      el('th', { text: name }),
    ),
  );
  const body = events.map((event) =>
    el(
      'tr',
      { className: event.outcome === 'failure' ? 'failure' : '' },
      el('td', { text: event.event_time }),
      el('td', { text: event.action }),
      el('td', { text: event.outcome }),
      el('td', { text: event.source_ip }),
      el('td', { text: data.rows[event.row]?.subject }),
      el('td', { text: event.event_id, className: 'id' }),
      el('td', { className: 'raw' }, rawOf(data, token, event.event_id)),
    ),
  );
  details.replaceChildren(
    el('h3', { text: heading.title }),
    el('p', { text: `${heading.count} events, ${heading.failures} failed; ${events.length} listed` }),
    el('table', { className: 'events' }, el('thead', {}, header), el('tbody', {}, ...body)),
  );
}

/** Served: a link to the stored record. A report has no server, so it shows the command printing it. */
function rawOf(data: PageData, token: string | null, eventId: string): Node {
  if (!data.live) return el('code', { className: 'query', text: rawEventCommand(data.store, eventId) });
  const link = el('a', { text: 'raw' });
  link.href = `/api/events/${encodeURIComponent(eventId)}/raw${
    token === null ? '' : `?token=${encodeURIComponent(token)}`
  }`;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}
