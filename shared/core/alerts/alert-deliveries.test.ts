import type { AlertRow } from '../schema/row.js';
import { claimed, isClaimable, SENDING_LEASE_MS, settled, summaryOf } from './alert-deliveries.js';

const T0 = '2026-11-20T12:00:00.000000Z';
const NOW = new Date('2026-11-20T12:00:00Z');

function row(overrides: Partial<AlertRow> = {}): AlertRow {
  return {
    alert_id: 'a1',
    rule: 'unexpected-subject',
    severity: 'high',
    title: 't',
    principal: null,
    subject: null,
    identity_provider: null,
    audience: null,
    resource: null,
    source_ip: null,
    count: 2,
    first_seen: T0,
    last_seen: T0,
    event_ids: ['e1', 'e2'],
    runbook: 'r',
    query: 'q',
    status: 'pending',
    delivered_count: 0,
    last_error: null,
    updated_at: T0,
    deliveries: null,
    ...overrides,
  };
}

const after = (base: AlertRow, deliveries: ReturnType<typeof claimed>) => ({ ...base, deliveries });

describe('per-channel delivery state', () => {
  it('claims a new alert, settles it delivered, and never claims the same count again', () => {
    const claim = claimed(row(), 'slack', 'slack h', T0);
    expect(summaryOf(row(), claim, ['slack']).status).toBe('unconfirmed'); // in flight reads as unconfirmed
    const done = settled(claim, 'slack', { kind: 'delivered', attempts: 1 }, T0);
    expect(done.revision).toBe(2);
    expect(summaryOf(row(), done, ['slack'])).toEqual({
      status: 'delivered',
      delivered_count: 2,
      last_error: null,
    });
    expect(isClaimable(after(row(), done), 'slack', 'unconfirmed', NOW)).toEqual({
      claimable: false,
      reason: 'delivered',
    });
    expect(isClaimable(after(row({ count: 3 }), done), 'slack', 'due', NOW).claimable).toBe(true);
  });

  it('a delivered channel does not make the alert delivered while another channel is unsent', () => {
    const done = settled(
      claimed(row(), 'slack', 'slack h', T0),
      'slack',
      { kind: 'delivered', attempts: 1 },
      T0,
    );
    expect(summaryOf(row(), done, ['slack', 'teams']).status).toBe('pending');
    expect(isClaimable(after(row(), done), 'teams', 'due', NOW).claimable).toBe(true);
  });

  it('retries a failed channel on any run, an unconfirmed one only when asked', () => {
    const failed = settled(
      claimed(row(), 'teams', 'teams h', T0),
      'teams',
      { kind: 'failed', attempts: 5, error: 'HTTP 500' },
      T0,
    );
    expect(summaryOf(row(), failed).last_error).toBe('teams h: HTTP 500');
    expect(isClaimable(after(row(), failed), 'teams', 'due', NOW).claimable).toBe(true);
    const lost = settled(
      claimed(row(), 'teams', 'teams h', T0),
      'teams',
      { kind: 'unconfirmed', attempts: 1, error: 'no answer' },
      T0,
    );
    expect(summaryOf(row(), lost).status).toBe('unconfirmed');
    expect(isClaimable(after(row(), lost), 'teams', 'due', NOW)).toEqual({
      claimable: false,
      reason: 'unconfirmed',
    });
    expect(isClaimable(after(row(), lost), 'teams', 'unconfirmed', NOW).claimable).toBe(true);
  });

  it('leaves a fresh claim to its sender; a stale one is taken over only when asked', () => {
    const claim = after(row(), claimed(row(), 'slack', 'slack h', T0));
    expect(isClaimable(claim, 'slack', 'unconfirmed', NOW)).toEqual({
      claimable: false,
      reason: 'in-flight',
    });
    const later = new Date(NOW.getTime() + SENDING_LEASE_MS);
    expect(isClaimable(claim, 'slack', 'due', later).claimable).toBe(false);
    expect(isClaimable(claim, 'slack', 'unconfirmed', later).claimable).toBe(true);
  });

  it('reads a row from before per-channel state by its delivered_count', () => {
    const legacy = row({ status: 'delivered', delivered_count: 2, count: 3 });
    expect(isClaimable(legacy, 'slack', 'due', NOW).claimable).toBe(true);
    expect(claimed(legacy, 'slack', 'slack h', T0).channels.slack).toMatchObject({
      delivered_count: 2,
      count: 3,
    });
    expect(isClaimable(row({ status: 'delivered', delivered_count: 2 }), 'slack', 'due', NOW).claimable).toBe(
      false,
    );
  });
});
