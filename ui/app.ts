import type { PageData } from '../shared/core/report/page-data.js';
import { renderAlerts } from './alerts-view.js';
import { el, shown } from './dom.js';
import { type Filters, renderLineage } from './lineage-view.js';

/** The header a live page sends with every API call when the server asks for a token. */
const TOKEN_HEADER = 'X-Tokentrail-Token';

const tokenHeaders = (token: string | null): Record<string, string> =>
  token ? { [TOKEN_HEADER]: token } : {};

/**
 * The served page's time window: `7d`, `24h`, a date or a timestamp, as `--since`/`--until` take them.
 * Applying it reloads the page's data from the server and keeps the window in the address.
 */
function windowControl(
  initial: PageData,
  token: string | null,
  redraw: (data: PageData) => void,
): HTMLElement {
  const box = (name: 'since' | 'until', value: string) => {
    const input = el('input');
    input.name = name;
    input.value = value;
    input.placeholder = name === 'since' ? '7d, 24h or a date' : 'now';
    input.setAttribute('aria-label', name);
    return input;
  };
  const since = box('since', initial.window.since);
  const until = box('until', initial.window.until);
  const range = el('span', {
    className: 'range',
    text: `${initial.window.since} to ${initial.window.until}`,
  });
  const problem = el('span', { className: 'error' });
  problem.setAttribute('role', 'alert');
  const show = el('button', { text: 'Show' });
  show.type = 'button';

  const apply = async () => {
    const query = new URLSearchParams();
    if (since.value.trim()) query.set('since', since.value.trim());
    if (until.value.trim()) query.set('until', until.value.trim());
    show.disabled = true;
    problem.textContent = '';
    document.body.dataset.ready = 'false';
    try {
      const response = await fetch(`/api/page-data?${query}`, {
        headers: tokenHeaders(token),
      });
      if (!response.ok) throw new Error((await response.text()).trim() || String(response.status));
      const next = (await response.json()) as PageData;
      since.value = next.window.since;
      until.value = next.window.until;
      range.textContent = shown(`${next.window.since} to ${next.window.until}`);
      if (token) query.set('token', token);
      history.replaceState(null, '', `?${query}`);
      redraw(next);
    } catch (error) {
      problem.textContent = shown((error as Error).message);
    } finally {
      show.disabled = false;
      document.body.dataset.ready = 'true';
    }
  };
  show.addEventListener('click', () => void apply());
  for (const input of [since, until])
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') void apply();
    });
  const preset = (label: string) => {
    const button = el('button', { text: label, className: 'preset' });
    button.type = 'button';
    button.addEventListener('click', () => {
      since.value = label;
      until.value = '';
      void apply();
    });
    return button;
  };

  return el(
    'div',
    { className: 'window' },
    el('span', { text: `${initial.store}: ` }),
    range,
    el('br'),
    el('label', { text: 'since ' }, since),
    el('label', { text: 'until ' }, until),
    show,
    preset('24h'),
    preset('7d'),
    preset('30d'),
    problem,
  );
}

function start(): void {
  const source = document.getElementById('page-data');
  const main = document.getElementById('app');
  if (!source || !main) return;
  let data = JSON.parse(source.textContent ?? '{}') as PageData;
  const token = new URLSearchParams(location.search).get('token');

  const filters: Filters = { bucket: '', subject: '', principal: '' };
  const expanded = new Set<string>();
  const lineage = el('section', { className: 'lineage' });
  const alerts = el('section', { className: 'alerts' });
  alerts.hidden = true;

  const draw = () => renderLineage(lineage, data, filters, expanded, draw, token);
  const input = (name: keyof Filters) => {
    const box = el('input');
    box.type = 'search';
    box.name = name;
    box.placeholder = `${name} glob`;
    box.setAttribute('aria-label', `${name} filter`);
    box.addEventListener('input', () => {
      filters[name] = box.value;
      draw();
    });
    return el('label', { text: `${name} ` }, box);
  };
  const tab = (name: string, section: HTMLElement, other: HTMLElement) => {
    const button = el('button', { text: name, className: 'tab' });
    button.type = 'button';
    button.addEventListener('click', () => {
      section.hidden = false;
      other.hidden = true;
    });
    return button;
  };

  const acknowledge = data.live
    ? async (alertId: string) => {
        const response = await fetch(`/api/alerts/${encodeURIComponent(alertId)}/ack`, {
          method: 'POST',
          headers: tokenHeaders(token),
        });
        if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      }
    : null;

  const alertsTab = tab(`Alerts (${data.alerts.length})`, alerts, lineage);
  const redraw = (next: PageData) => {
    data = next;
    expanded.clear();
    alertsTab.textContent = `Alerts (${data.alerts.length})`;
    draw();
    renderAlerts(alerts, data, acknowledge);
  };
  const windowPart = data.live
    ? windowControl(data, token, redraw)
    : el('p', {
        className: 'window',
        text: `${data.store}, ${data.window.since} to ${data.window.until} (report: its window is fixed)`,
      });
  main.replaceChildren(
    el('nav', {}, tab('Lineage', lineage, alerts), alertsTab),
    windowPart,
    el('div', { className: 'filters' }, input('bucket'), input('subject'), input('principal')),
    lineage,
    alerts,
  );
  draw();
  renderAlerts(alerts, data, acknowledge);
  document.body.dataset.ready = 'true';
}

start();
