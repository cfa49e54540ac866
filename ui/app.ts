import type { PageData } from '../shared/core/report/page-data.js';
import { renderAlerts } from './alerts-view.js';
import { el } from './dom.js';
import { type Filters, renderLineage } from './lineage-view.js';

/** The header a live page sends with every API call when the server asks for a token. */
const TOKEN_HEADER = 'X-Tokentrail-Token';

function start(): void {
  const source = document.getElementById('page-data');
  const main = document.getElementById('app');
  if (!source || !main) return;
  const data = JSON.parse(source.textContent ?? '{}') as PageData;
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
          headers: token ? { [TOKEN_HEADER]: token } : {},
        });
        if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      }
    : null;

  const window = el('p', {
    className: 'window',
    text: `${data.store}, ${data.window.since} to ${data.window.until}${data.live ? '' : ' (report)'}`,
  });
  main.replaceChildren(
    el('nav', {}, tab('Lineage', lineage, alerts), tab(`Alerts (${data.alerts.length})`, alerts, lineage)),
    window,
    el('div', { className: 'filters' }, input('bucket'), input('subject'), input('principal')),
    lineage,
    alerts,
  );
  draw();
  renderAlerts(alerts, data, acknowledge);
  document.body.dataset.ready = 'true';
}

start();
