import { cutMiddle } from '../shared/core/render/fit-columns.js';
import { globMatcher } from '../shared/core/report/glob-filter.js';
import { buildLineage, hopOf, type NodeKind } from '../shared/core/report/lineage.js';
import type { PageData } from '../shared/core/report/page-data.js';
import { rawEventCommand } from '../shared/core/report/raw-event.js';
import { el, shown, svg, svgText, svgTitle } from './dom.js';
import { layoutLineage, NODE_HEIGHT, NODE_WIDTH, ROUTED_LAYOUT_MAX_NODES } from './lineage-layout.js';

const LAYERS: readonly NodeKind[] = ['subject', 'hop', 'principal', 'bucket'];
const HEADINGS: Record<NodeKind, string> = {
  subject: 'subjects',
  hop: 'cross-cloud hops',
  principal: 'principals',
  bucket: 'buckets',
};
/** Long labels keep both ends: a subject's repository and a role's or bucket's name at the end. */
const LABEL_CHARS = 29;

export interface Filters {
  bucket: string;
  subject: string;
  principal: string;
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
  const layout = layoutLineage(lineage, columns);
  const maxCount = Math.max(1, ...lineage.edges.map((edge) => edge.count));

  const drawing = svg('svg', {
    width: layout.width,
    height: layout.height,
    role: 'img',
    'aria-label': `lineage: ${columns.map((kind) => HEADINGS[kind]).join(', ')}`,
  });
  for (const [kind, x] of layout.columns)
    drawing.append(svgText(HEADINGS[kind], { x, y: 14, class: 'heading' }));
  const details = el('div', { className: 'details' });
  const nodeLabel = new Map(lineage.nodes.map((node) => [node.id, node.label]));
  const nodeKind = new Map(lineage.nodes.map((node) => [node.id, node.kind]));

  for (const edge of lineage.edges) {
    const crosses = nodeKind.get(edge.from) === 'hop' || nodeKind.get(edge.to) === 'hop';
    const group = svg('g', {
      class: `edge${crosses ? ' hop' : ''}${edge.alerted ? ' alerted' : ''}${edge.failures > 0 ? ' failing' : ''}`,
      tabindex: 0,
    });
    const d = layout.edges.get(edge.id)!;
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
    const { x, y } = layout.nodes.get(node.id)!;
    const group = svg('g', { class: `node ${node.kind}${node.owner ? ' aggregate' : ''}`, tabindex: 0 });
    const label = shown(node.label);
    group.append(
      svg('rect', { x, y, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 4 }),
      svgText(cutMiddle(label, LABEL_CHARS), { x: x + 6, y: y + 16 }),
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
    }${
      lineage.nodes.length > ROUTED_LAYOUT_MAX_NODES
        ? `; over ${ROUTED_LAYOUT_MAX_NODES} nodes, drawn in plain columns (filter to route the edges)`
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
