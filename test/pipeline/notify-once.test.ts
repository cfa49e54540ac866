import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { DuckDbAlertBook } from '../../shared/adapters/duckdb/duckdb-alert-book.js';
import { DuckDbStore } from '../../shared/adapters/duckdb/duckdb-store.js';
import type { Alert } from '../../shared/core/alerts/alert.js';
import { deliveriesOf } from '../../shared/core/alerts/alert-deliveries.js';
import { mergeAlert } from '../../shared/core/alerts/alert-state.js';
import type { AlertStatus } from '../../shared/core/schema/alert-columns.js';
import { duckDbSetup } from '../../shared/core/schema/duckdb-ddl.js';
import type { AlertRow } from '../../shared/core/schema/row.js';
import { notify } from '../../shared/pipeline/notify.js';
import type { AlertBook, AlertChannel, DeliveryChange } from '../../shared/pipeline/ports.js';

/** Issue 11, items 8 to 10: each channel receives each incident at most once per distinct update. */
const AT = '2026-11-20T12:00:00.000000Z';
const clock = { now: () => new Date('2026-11-20T12:00:00Z') };

function alert(id: string, events: number): Alert {
  return {
    alert_id: id,
    rule: 'unexpected-subject',
    severity: 'high',
    title: 'A subject the policy does not expect',
    principal: 'arn:aws:iam::111122223333:role/deploy',
    subject: 'repo:someone-else/api:pull_request',
    identity_provider: null,
    audience: 'sts.amazonaws.com',
    resource: null,
    source_ip: '203.0.113.7',
    count: events,
    first_seen: '2026-11-20T10:00:00.000000Z',
    last_seen: '2026-11-20T11:00:00.000000Z',
    event_ids: Array.from({ length: events }, (_, index) => `${id}-e${index}`),
    runbook: 'Check it.',
    query: 'tokentrail query principals --subject x',
  };
}

/** What a channel's service did with one post. */
type Outcome = 'ok' | 'rate-limited' | 'error' | 'reset' | 'hang';
const OUTCOMES: readonly Outcome[] = ['ok', 'rate-limited', 'error', 'reset', 'hang'];

/**
 * A channel whose service answers from a script (then `ok`). It records what landed (a 2xx, or a
 * hang after the body was read: the message was posted but the answer lost) and what answered 2xx.
 */
function scriptedChannel(name: string, script: Outcome[]) {
  const landed: string[] = [];
  const confirmed: string[] = [];
  /** Messages whose post landed without an answer: the one case a resend may double, and only when asked. */
  const hung: string[] = [];
  const channel: AlertChannel = {
    name,
    key: name,
    async send(sent) {
      await new Promise((resolve) => setImmediate(resolve)); // let concurrent runs interleave
      const outcome = script.shift() ?? 'ok';
      const message = `${sent.alert_id}#${sent.count}`;
      switch (outcome) {
        case 'ok':
          landed.push(message);
          confirmed.push(message);
          return { ok: true };
        case 'rate-limited':
          return { ok: false, error: 'HTTP 429 (asked to wait 120 s)' };
        case 'error':
          return { ok: false, error: 'HTTP 500' };
        case 'reset':
          return { ok: false, error: 'network error (ECONNRESET)' };
        case 'hang':
          landed.push(message);
          hung.push(message);
          return { ok: false, unconfirmed: true, error: 'no answer after the message was sent' };
      }
    },
  };
  return { channel, landed, confirmed, hung };
}

/** The alerts table in memory, with the stores' semantics: merges leave the delivery columns alone, writes of deliveries are a compare-and-set. */
class MemoryAlertBook implements AlertBook {
  readonly rows = new Map<string, AlertRow>();
  private tick = () => new Promise((resolve) => setImmediate(resolve));

  async recordAlerts(alerts: readonly Alert[], at: string): Promise<AlertRow[]> {
    for (const next of alerts) {
      const before = this.rows.get(next.alert_id);
      const after = mergeAlert(before, next, at);
      if (after === before) continue;
      await this.tick();
      const stored = this.rows.get(next.alert_id);
      this.rows.set(
        next.alert_id,
        stored === undefined
          ? after
          : {
              ...after,
              deliveries: stored.deliveries,
              delivered_count: stored.delivered_count,
              last_error: stored.last_error,
            },
      );
    }
    return this.alertsToDeliver();
  }
  async alertsToDeliver(options: { readonly unconfirmed?: boolean } = {}): Promise<AlertRow[]> {
    const statuses: AlertStatus[] = options.unconfirmed
      ? ['pending', 'failed', 'unconfirmed']
      : ['pending', 'failed'];
    return [...this.rows.values()].filter((row) => statuses.includes(row.status));
  }
  async listAlerts(status?: AlertStatus): Promise<AlertRow[]> {
    return [...this.rows.values()].filter((row) => status === undefined || row.status === status);
  }
  async getAlert(alertId: string): Promise<AlertRow | undefined> {
    await this.tick();
    return this.rows.get(alertId);
  }
  async updateAlert(alertId: string, change: { readonly status: AlertStatus }, at: string): Promise<boolean> {
    const row = this.rows.get(alertId);
    if (row === undefined) return false;
    this.rows.set(alertId, { ...row, ...change, updated_at: at });
    return true;
  }
  async writeDeliveries(
    alertId: string,
    revision: number,
    change: DeliveryChange,
    at: string,
  ): Promise<boolean> {
    await this.tick();
    const row = this.rows.get(alertId);
    if (row === undefined || row.status === 'acked' || deliveriesOf(row).revision !== revision) return false;
    this.rows.set(alertId, { ...row, ...change, updated_at: at });
    return true;
  }
}

type Step =
  | { readonly kind: 'notify'; readonly concurrent: boolean; readonly unconfirmed: boolean }
  | { readonly kind: 'grow'; readonly alert: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('notify' as const), concurrent: fc.boolean(), unconfirmed: fc.boolean() }),
  fc.record({ kind: fc.constant('grow' as const), alert: fc.integer({ min: 0, max: 1 }) }),
);

describe('notify', () => {
  it('sends each channel each incident at most once per update, and reports delivered only on a 2xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...OUTCOMES), { maxLength: 12 }),
        fc.array(fc.constantFrom(...OUTCOMES), { maxLength: 12 }),
        fc.array(step, { minLength: 1, maxLength: 8 }),
        async (slackScript, teamsScript, steps) => {
          const book = new MemoryAlertBook();
          const slack = scriptedChannel('slack', [...slackScript]);
          const teams = scriptedChannel('teams', [...teamsScript]);
          const channels = [slack.channel, teams.channel];
          const sizes = [1, 1];
          await book.recordAlerts([alert('a0', 1), alert('a1', 1)], AT);
          const reported = new Map<string, number>([
            ['slack', 0],
            ['teams', 0],
          ]);
          const run = async (unconfirmed: boolean) => {
            const rows = await book.alertsToDeliver({ unconfirmed });
            const summary = await notify(book, channels, rows, clock, {
              mode: unconfirmed ? 'unconfirmed' : 'due',
            });
            for (const channel of summary.channels)
              reported.set(channel.channel, reported.get(channel.channel)! + channel.delivered);
          };
          for (const next of steps) {
            if (next.kind === 'grow') {
              sizes[next.alert]! += 1;
              await book.recordAlerts([alert(`a${next.alert}`, sizes[next.alert]!)], AT);
            } else if (next.concurrent) await Promise.all([run(next.unconfirmed), run(next.unconfirmed)]);
            else await run(next.unconfirmed);
          }
          const asked = steps.some((next) => next.kind === 'notify' && next.unconfirmed);
          for (const { channel, landed, confirmed, hung } of [slack, teams]) {
            for (const message of new Set(landed)) {
              const times = landed.filter((other) => other === message).length;
              // At most once per distinct update; a post that may have landed is resent only when
              // asked, and never after a 2xx.
              const resendable = asked ? hung.filter((other) => other === message).length : 0;
              expect(times).toBeLessThanOrEqual(1 + resendable);
            }
            expect(new Set(confirmed).size).toBe(confirmed.length);
            // Delivered only what answered 2xx, both in the summary and in the table.
            expect(reported.get(channel.name)).toBe(confirmed.length);
            for (const row of book.rows.values()) {
              const entry = deliveriesOf(row).channels[channel.name];
              if (entry?.state === 'delivered') {
                expect(confirmed).toContain(`${row.alert_id}#${entry.delivered_count}`);
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('sends an update counted from what the channel confirmed when the claim was won, not from a stale row', async () => {
    const book = new MemoryAlertBook();
    const previous: number[] = [];
    const channel: AlertChannel = {
      name: 'slack',
      key: 'slack',
      async send(_, previouslyDelivered) {
        previous.push(previouslyDelivered);
        return { ok: true };
      },
    };
    await notify(book, [channel], await book.recordAlerts([alert('a0', 1)], AT), clock);
    const [stale] = await book.recordAlerts([alert('a0', 2)], AT);
    await notify(book, [channel], [stale!], clock); // another run sends count 2
    await book.recordAlerts([alert('a0', 3)], AT);
    await notify(book, [channel], [stale!], clock); // loses its compare-and-set, re-reads, sends 3
    expect(previous).toEqual([0, 1, 2]);
  });

  it('two runs raising the same incident at the same instant on one DuckDB store send it once', async () => {
    const store = await DuckDbStore.open(':memory:');
    try {
      const slack = scriptedChannel('slack', []);
      const teams = scriptedChannel('teams', []);
      const [first, second] = await Promise.all([
        store.recordAlerts([alert('a0', 2)], AT),
        store.recordAlerts([alert('a0', 2)], AT),
      ]);
      await Promise.all([
        notify(store, [slack.channel, teams.channel], first, clock),
        notify(store, [slack.channel, teams.channel], second, clock),
      ]);
      expect(slack.landed).toEqual(['a0#2']);
      expect(teams.landed).toEqual(['a0#2']);
    } finally {
      await store.close();
    }
  });

  it('two connections to one DuckDB database claiming the same incident send it once', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const setup = await instance.connect();
    for (const statement of duckDbSetup()) await setup.run(statement);
    const books = [
      await DuckDbAlertBook.open(() => instance.connect()),
      await DuckDbAlertBook.open(() => instance.connect()),
    ];
    try {
      for (let round = 1; round <= 10; round++) {
        const slack = scriptedChannel('slack', []);
        const teams = scriptedChannel('teams', []);
        const id = `round-${round}`;
        const rows = await Promise.all(books.map((book) => book.recordAlerts([alert(id, 1)], AT)));
        await Promise.all(
          books.map((book, index) =>
            notify(
              book,
              [slack.channel, teams.channel],
              rows[index]!.filter((row) => row.alert_id === id),
              clock,
            ),
          ),
        );
        expect(slack.landed).toEqual([`${id}#1`]);
        expect(teams.landed).toEqual([`${id}#1`]);
        expect((await books[0]!.getAlert(id))?.status).toBe('delivered');
      }
    } finally {
      for (const book of books) book.close();
      setup.closeSync();
      instance.closeSync();
    }
  });
});
