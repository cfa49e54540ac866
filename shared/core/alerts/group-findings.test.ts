import type { Finding } from '../detect/finding.js';
import { groupFindings } from './group-findings.js';

function finding(event_id: string, event_time: string, overrides: Partial<Finding> = {}): Finding {
  return {
    rule: 'unexpected-subject',
    severity: 'high',
    title: 'A subject the policy does not expect became arn:aws:iam::111122223333:role/deploy',
    event_id,
    event_time,
    principal: 'arn:aws:iam::111122223333:role/deploy',
    subject: 'repo:someone-else/api:pull_request',
    identity_provider: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
    audience: 'sts.amazonaws.com',
    resource: 'arn:aws:iam::111122223333:role/deploy',
    source_ip: '203.0.113.7',
    ...overrides,
  };
}

const options = {
  idOf: (key: string) => key.replaceAll('\u0000', '|'),
  runbooks: { 'unexpected-subject': 'Check it.' },
};

describe('groupFindings', () => {
  it('makes one alert per (rule, principal, subject) and UTC day, counting distinct events', () => {
    const alerts = groupFindings(
      [
        finding('e2', '2026-11-20T11:00:00.000000Z'),
        finding('e1', '2026-11-20T10:00:00.000000Z'),
        finding('e1', '2026-11-20T10:00:00.000000Z'),
        finding('e3', '2026-11-21T09:00:00.000000Z'),
        finding('e4', '2026-11-20T12:00:00.000000Z', { subject: 'repo:other/x:pull_request' }),
      ],
      options,
    );
    expect(
      alerts.map((alert) => [alert.subject, alert.count, alert.first_seen, alert.last_seen, alert.event_ids]),
    ).toEqual([
      [
        'repo:someone-else/api:pull_request',
        2,
        '2026-11-20T10:00:00.000000Z',
        '2026-11-20T11:00:00.000000Z',
        ['e1', 'e2'],
      ],
      ['repo:other/x:pull_request', 1, '2026-11-20T12:00:00.000000Z', '2026-11-20T12:00:00.000000Z', ['e4']],
      [
        'repo:someone-else/api:pull_request',
        1,
        '2026-11-21T09:00:00.000000Z',
        '2026-11-21T09:00:00.000000Z',
        ['e3'],
      ],
    ]);
    expect(alerts[0]).toMatchObject({
      alert_id:
        'unexpected-subject|arn:aws:iam::111122223333:role/deploy|repo:someone-else/api:pull_request|1795132800000',
      runbook: 'Check it.',
      query: 'tokentrail query principals --subject repo:someone-else/api:pull_request --since 30d',
    });
  });

  it('gives an incident the same id whichever part of its day a run saw', () => {
    const morning = groupFindings([finding('e1', '2026-11-20T01:00:00.000000Z')], options);
    const evening = groupFindings([finding('e9', '2026-11-20T23:00:00.000000Z')], options);
    expect(morning[0]!.alert_id).toBe(evening[0]!.alert_id);
  });

  it('quotes an untrusted subject in the ready-to-paste query', () => {
    const [alert] = groupFindings(
      [finding('e1', '2026-11-20T01:00:00.000000Z', { subject: "x'; rm -rf ~ #" })],
      options,
    );
    expect(alert!.query).toBe(`tokentrail query principals --subject 'x'\\''; rm -rf ~ #' --since 30d`);
  });

  it('names the store the findings came from in the ready query, quoted; the default store needs no flag', () => {
    const at = '2026-11-20T01:00:00.000000Z';
    const found = [
      finding('e1', at),
      finding('e2', at, { rule: 'weak-trust', subject: null }),
      finding('e3', at, { rule: 'audience-mismatch', subject: null, principal: null }),
    ];
    expect(
      groupFindings(found, { ...options, store: 'duckdb:.tokentrail/demo.duckdb' }).map((a) => a.query),
    ).toEqual([
      'tokentrail query failures --since 7d --store duckdb:.tokentrail/demo.duckdb',
      'tokentrail query principals --subject repo:someone-else/api:pull_request --since 30d --store duckdb:.tokentrail/demo.duckdb',
      'tokentrail query subjects --principal arn:aws:iam::111122223333:role/deploy --since 30d --store duckdb:.tokentrail/demo.duckdb',
    ]);
    const [spaced] = groupFindings([finding('e1', at)], {
      ...options,
      store: "duckdb:my stores/it's.duckdb",
    });
    expect(spaced!.query).toBe(
      `tokentrail query principals --subject repo:someone-else/api:pull_request --since 30d --store 'duckdb:my stores/it'\\''s.duckdb'`,
    );
    expect(groupFindings([finding('e1', at)], options)[0]!.query).not.toContain('--store');
  });

  it('takes the worst severity of the group', () => {
    const [alert] = groupFindings(
      [
        finding('e1', '2026-11-20T01:00:00.000000Z', { severity: 'low' }),
        finding('e2', '2026-11-20T02:00:00.000000Z'),
      ],
      options,
    );
    expect(alert!.severity).toBe('high');
  });
});
