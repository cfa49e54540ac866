import type { Store } from '../../shared/adapters/store/open-store.js';
import { WHO_ACCESSED } from '../../shared/core/queries/named-queries.js';
import type { QueryCell } from '../../shared/core/queries/query-result.js';
import { ACCESS_EVENTS, ACCESS_EVENTS_LIMIT } from '../../shared/core/report/access-events-query.js';
import { rowKey } from '../../shared/core/report/lineage.js';
import { type AccessEvent, type PageData, pageAlertOf } from '../../shared/core/report/page-data.js';
import { answer } from '../../shared/pipeline/query.js';

export interface PageWindow {
  readonly since?: string;
  readonly until?: string;
  readonly live: boolean;
}

const text = (cell: QueryCell | undefined): string | null =>
  cell === null || cell === undefined ? null : String(cell);

/** The page's data from a store: who accessed what in the window, its events, and every alert. */
export async function loadPageData(store: Store, now: () => Date, window: PageWindow): Promise<PageData> {
  const clock = { now };
  const request = { patterns: { bucket: '*' }, since: window.since, until: window.until, defaultSince: '7d' };
  // Every query settles before the caller closes the store: closing DuckDB under a query still
  // running (after another failed, a bad --since say) took the whole server down.
  const pending = [
    answer(store, clock, { ...request, query: WHO_ACCESSED }),
    answer(store, clock, { ...request, query: ACCESS_EVENTS }),
    store.listAlerts(),
  ] as const;
  await Promise.allSettled(pending);
  const [who, events, alerts] = await Promise.all(pending);
  const rows = who.result.rows.map((row) => ({
    cloud: text(row.cloud),
    bucket: text(row.bucket),
    root_subject: text(row.root_subject),
    subject: text(row.subject),
    principal: text(row.principal),
    actions: Array.isArray(row.actions) ? row.actions.map(String) : [],
    count: Number(row.count),
    failures: Number(row.failures),
    first_seen: String(row.first_seen),
    last_seen: String(row.last_seen),
  }));
  const rowOf = new Map(rows.map((row, index) => [rowKey(row), index]));
  return {
    window: who.range,
    store: store.description,
    rows,
    // Both queries read the same access CTE, so every event has its row.
    events: events.result.rows.flatMap((row): AccessEvent[] => {
      const index = rowOf.get(
        rowKey({
          bucket: text(row.bucket),
          root_subject: text(row.root_subject),
          subject: text(row.subject),
          principal: text(row.principal),
        }),
      );
      return index === undefined
        ? []
        : [
            {
              row: index,
              event_time: String(row.event_time),
              action: text(row.action),
              outcome: text(row.outcome),
              source_ip: text(row.source_ip),
              event_id: String(row.event_id),
            },
          ];
    }),
    eventsTruncated: events.result.rows.length >= ACCESS_EVENTS_LIMIT,
    alerts: alerts.map(pageAlertOf),
    live: window.live,
  };
}
