import type { AlertRow } from '../schema/row.js';
import type { Alert } from './alert.js';
import { mergeAlert, needsDelivery } from './alert-state.js';

const ALERT: Alert = {
  alert_id: 'a1',
  rule: 'unexpected-subject',
  severity: 'high',
  title: 'A subject the policy does not expect became arn:aws:iam::111122223333:role/deploy',
  principal: 'arn:aws:iam::111122223333:role/deploy',
  subject: 'repo:someone-else/api:pull_request',
  identity_provider: null,
  audience: 'sts.amazonaws.com',
  resource: null,
  source_ip: '203.0.113.7',
  count: 2,
  first_seen: '2026-11-20T10:00:00.000000Z',
  last_seen: '2026-11-20T11:00:00.000000Z',
  event_ids: ['e1', 'e2'],
  runbook: 'Check it.',
  query: 'tokentrail query principals --subject x',
};
const T0 = '2026-11-20T12:00:00.000000Z';
const T1 = '2026-11-20T13:00:00.000000Z';

describe('mergeAlert', () => {
  it('stores a new incident as pending', () => {
    const row = mergeAlert(undefined, ALERT, T0);
    expect(row).toMatchObject({ status: 'pending', delivered_count: 0, count: 2, updated_at: T0 });
    expect(needsDelivery(row)).toBe(true);
  });

  it('leaves a delivered incident untouched when a replay sees nothing new', () => {
    const delivered: AlertRow = {
      ...mergeAlert(undefined, ALERT, T0),
      status: 'delivered',
      delivered_count: 2,
    };
    expect(mergeAlert(delivered, ALERT, T1)).toBe(delivered);
    expect(mergeAlert(delivered, { ...ALERT, count: 1, event_ids: ['e1'] }, T1)).toBe(delivered);
  });

  it('makes a grown incident pending again, as an update, keeping its first sighting', () => {
    const delivered: AlertRow = {
      ...mergeAlert(undefined, ALERT, T0),
      status: 'delivered',
      delivered_count: 2,
    };
    const grown = mergeAlert(
      delivered,
      { ...ALERT, count: 3, event_ids: ['e1', 'e2', 'e3'], first_seen: '2026-11-20T10:30:00.000000Z' },
      T1,
    );
    expect(grown).toMatchObject({
      status: 'pending',
      delivered_count: 2,
      count: 3,
      first_seen: ALERT.first_seen,
      updated_at: T1,
    });
  });

  it('keeps an acknowledged incident quiet when it grows', () => {
    const acked: AlertRow = { ...mergeAlert(undefined, ALERT, T0), status: 'acked' };
    const grown = mergeAlert(acked, { ...ALERT, count: 3, event_ids: ['e1', 'e2', 'e5'] }, T1);
    expect(grown).toMatchObject({ status: 'acked', count: 3 });
    expect(needsDelivery(grown)).toBe(false);
  });

  it('adds up an incident seen in separate batches, as an ingest function sees it', () => {
    const first = mergeAlert(undefined, ALERT, T0);
    const later = mergeAlert(
      first,
      {
        ...ALERT,
        count: 1,
        event_ids: ['e3'],
        first_seen: '2026-11-20T11:30:00.000000Z',
        last_seen: '2026-11-20T11:30:00.000000Z',
      },
      T1,
    );
    expect(later).toMatchObject({
      count: 3,
      event_ids: ['e1', 'e2', 'e3'],
      first_seen: ALERT.first_seen,
      last_seen: '2026-11-20T11:30:00.000000Z',
      status: 'pending',
    });
    expect(mergeAlert(later, { ...ALERT, count: 1, event_ids: ['e3'] }, T1)).toBe(later);
  });
});
