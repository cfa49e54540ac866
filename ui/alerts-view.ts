import type { PageAlert, PageData } from '../shared/core/report/page-data.js';
import { el } from './dom.js';

export type Acknowledge = (alertId: string) => Promise<void>;

function field(name: string, value: string | number | null, className = ''): HTMLElement {
  return el('div', { className: `field ${className}` }, el('dt', { text: name }), el('dd', { text: value }));
}

function alertCard(alert: PageAlert, acknowledge: Acknowledge | null): HTMLElement {
  const status = el('span', { className: 'status', text: alert.status });
  const card = el(
    'article',
    { className: `alert severity-${alert.severity.replace(/[^a-z]/g, '')}` },
    el(
      'h3',
      {},
      el('span', { className: 'severity', text: alert.severity }),
      el('span', { text: ` ${alert.rule} ` }),
      status,
    ),
    el('p', { className: 'title', text: alert.title }),
    el(
      'dl',
      {},
      field('subject', alert.subject, 'subject'),
      field('principal', alert.principal),
      field('events', `${alert.count}, ${alert.first_seen} to ${alert.last_seen}`),
      field(
        'channels',
        alert.channels.length === 0
          ? 'not sent to any channel'
          : alert.channels.map((entry) => `${entry.channel}: ${entry.state}`).join('; '),
      ),
      field('event ids', alert.event_ids.join(' '), 'id'),
      field('runbook', alert.runbook),
      field('query', alert.query, 'query'),
    ),
  );
  if (acknowledge && alert.status !== 'acked') {
    const button = el('button', { text: 'Acknowledge' });
    button.type = 'button';
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await acknowledge(alert.alert_id);
        status.textContent = 'acked';
        button.remove();
      } catch (error) {
        button.disabled = false;
        card.append(
          el('p', { className: 'error', text: `could not acknowledge: ${(error as Error).message}` }),
        );
      }
    });
    card.append(button);
  }
  card.dataset.alertId = alert.alert_id;
  return card;
}

export function renderAlerts(root: HTMLElement, data: PageData, acknowledge: Acknowledge | null): void {
  root.replaceChildren(
    el('p', { className: 'summary', text: `${data.alerts.length} incidents` }),
    ...data.alerts.map((alert) => alertCard(alert, acknowledge)),
  );
}
