import { globMatcher } from '../shared/core/report/glob-filter.js';
import {
  buildLineage,
  type Lineage,
  type LineageNode,
  type NodeKind,
} from '../shared/core/report/lineage.js';
import type { PageData } from '../shared/core/report/page-data.js';
import { rawEventCommand } from '../shared/core/report/raw-event.js';
import { el, shown, svg, svgText, svgTitle } from './dom.js';

const COLUMNS: readonly NodeKind[] = ['subject', 'principal', 'bucket'];
const COLUMN_WIDTH = 420;
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

/** Layers ordered so edges cross less: each node sits near the mean place of its neighbours on the left. */
function ordered(lineage: Lineage): Map<string, { column: number; row: number }> {
  const place = new Map<string, { column: number; row: number }>();
  const byKind = (kind: NodeKind) => lineage.nodes.filter((node) => node.kind === kind);
  const subjects = [...byKind('subject')].sort((a, b) => b.count - a.count);
  subjects.forEach((node, row) => {
    place.set(node.id, { column: 0, row });
  });
  for (const [column, kind] of [
    [1, 'principal'],
    [2, 'bucket'],
  ] as const) {
    const mean = (node: LineageNode) => {
      const left = lineage.edges
        .filter((edge) => edge.to === node.id)
        .map((edge) => place.get(edge.from)?.row);
      const rows = left.filter((row): row is number => row !== undefined);
      return rows.length === 0 ? 0 : rows.reduce((sum, row) => sum + row, 0) / rows.length;
    };
    [...byKind(kind)]
      .map((node) => ({ node, at: mean(node) }))
      .sort((a, b) => a.at - b.at || b.node.count - a.node.count)
      .forEach(({ node }, row) => {
        place.set(node.id, { column, row });
      });
  }
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
  const place = ordered(lineage);
  const height = Math.max(...COLUMNS.map((kind) => lineage.nodes.filter((n) => n.kind === kind).length), 1);
  const maxCount = Math.max(1, ...lineage.edges.map((edge) => edge.count));

  const drawing = svg('svg', {
    width: COLUMN_WIDTH * 2 + NODE_WIDTH + 20,
    height: height * ROW_HEIGHT + 40,
    role: 'img',
    'aria-label': 'lineage: subjects, principals, buckets',
  });
  COLUMNS.forEach((kind, column) => {
    drawing.append(svgText(`${kind}s`, { x: 10 + column * COLUMN_WIDTH, y: 14, class: 'heading' }));
  });
  const at = (id: string) => {
    const spot = place.get(id)!;
    return { x: 10 + spot.column * COLUMN_WIDTH, y: 24 + spot.row * ROW_HEIGHT };
  };
  const details = el('div', { className: 'details' });
  const nodeLabel = new Map(lineage.nodes.map((node) => [node.id, node.label]));

  for (const edge of lineage.edges) {
    const from = at(edge.from);
    const to = at(edge.to);
    const x1 = from.x + NODE_WIDTH;
    const y1 = from.y + NODE_HEIGHT / 2;
    const x2 = to.x;
    const y2 = to.y + NODE_HEIGHT / 2;
    const group = svg('g', {
      class: `edge${edge.alerted ? ' alerted' : ''}${edge.failures > 0 ? ' failing' : ''}`,
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
      lineage.aggregated.length > 0
        ? `; folded by owner: ${lineage.aggregated.join(', ')} (click to expand)`
        : ''
    }${data.eventsTruncated ? `; events listed: the newest ${data.events.length}` : ''}`,
  });
  const scroller = el('div', { className: 'graph' }, drawing);
  root.replaceChildren(summary, scroller, details);
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
