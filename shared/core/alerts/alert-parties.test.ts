import { renderTable } from '../render/query-output.js';
import type { Alert } from './alert.js';
import { alertParties } from './alert-parties.js';
import { renderGoogleChat } from './render-google-chat.js';
import { renderSlack } from './render-slack.js';
import { renderTeams } from './render-teams.js';

/** A GCP exchange refused for its audience: no subject or principal in the log, a hostile token audience. */
const REFUSED: Alert = {
  alert_id: 'a1',
  rule: 'audience-mismatch',
  severity: 'medium',
  title: 'A token exchange at provider github-acme (pool github) was refused: wrong audience; caller curl/8',
  principal: null,
  subject: null,
  identity_provider:
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-acme',
  audience: 'https://evil.example/<!channel>\u001b[31m',
  resource: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-acme',
  source_ip: '192.0.2.68',
  count: 2,
  first_seen: '2026-11-20T10:00:00.000000Z',
  last_seen: '2026-11-20T10:04:00.000000Z',
  event_ids: ['e1', 'e2'],
  runbook: 'Check the workflow.',
  query: 'tokentrail query failures --since 7d',
};

const PROVIDER =
  '(not logged; provider projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-acme)';

describe('alertParties', () => {
  it('keeps a subject or principal the log carries', () => {
    const alert = { ...REFUSED, principal: 'arn:aws:iam::111122223333:role/deploy' };
    expect(alertParties(alert)).toEqual({
      subject: null,
      principal: 'arn:aws:iam::111122223333:role/deploy',
    });
  });

  it('shows what a refused exchange logs instead: the audience presented, the caller, the provider', () => {
    expect(alertParties(REFUSED)).toEqual({
      subject: '(not logged; token audience https://evil.example/<!channel>\u001b[31m, caller 192.0.2.68)',
      principal: PROVIDER,
    });
    expect(alertParties({ ...REFUSED, audience: null, source_ip: null, identity_provider: null })).toEqual({
      subject: null,
      principal: null,
    });
  });

  it('reaches every renderer as inert text', () => {
    const slack = JSON.stringify(renderSlack(REFUSED));
    expect(slack).toContain(
      'token audience https://evil.example/&lt;!channel&gt;\\\\u001b[31m, caller 192.0.2.68',
    );
    expect(slack).toContain(PROVIDER);
    expect(slack).not.toContain('<!channel>');

    const chat = JSON.stringify(renderGoogleChat(REFUSED));
    expect(chat).toContain(
      'token audience https://evil.example/&lt;!channel&gt;\\\\u001b[31m, caller 192.0.2.68',
    );
    expect(chat).toContain(PROVIDER);

    const teams = JSON.stringify(renderTeams(REFUSED));
    expect(teams).toContain('token audience https://evil.example/<!channel>\\\\u001b[31m, caller 192.0.2.68');
    expect(teams).toContain(PROVIDER);
    // A raw ESC would appear in the JSON as \u001b after a character other than a backslash.
    for (const text of [slack, chat, teams]) expect(text).not.toMatch(/[^\\]\\u001b/);

    const table = renderTable({ columns: ['subject', 'principal'], rows: [alertParties(REFUSED)] });
    expect(table).toContain('token audience https://evil.example/<!channel>\\u001b[31m, caller 192.0.2.68');
    expect(table).toContain(PROVIDER);
    expect(table).not.toContain('\u001b');
  });
});
