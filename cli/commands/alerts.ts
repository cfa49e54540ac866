import { openStore, type Store, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import type { StoreLocation } from '../../shared/adapters/store/store-uri.js';
import { deliveriesOf, isClaimable } from '../../shared/core/alerts/alert-deliveries.js';
import { alertParties } from '../../shared/core/alerts/alert-parties.js';
import type { QueryResult } from '../../shared/core/queries/query-result.js';
import { renderNdjson } from '../../shared/core/render/query-output.js';
import { terminalSafe } from '../../shared/core/render/terminal-safe.js';
import { ALERT_COLUMNS, type AlertStatus } from '../../shared/core/schema/alert-columns.js';
import type { AlertRow } from '../../shared/core/schema/row.js';
import { timestampOf } from '../../shared/core/time/timestamp.js';
import type { AlertChannel } from '../../shared/pipeline/ports.js';
import { type AlertIdMatch, MIN_ALERT_ID_PREFIX, matchAlertId } from '../alert-id-prefix.js';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { fittedTable } from '../fitted-table.js';
import { deliverAlerts } from './detect.js';

export interface AlertsOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  readonly json: boolean;
  /** The list's width (see tableWidth); null or absent: every cell whole. */
  readonly tableWidth?: number | null;
}

/** A cut alert id still shows a prefix alerts ack takes. */
const ALERT_ID_MINIMUM = { alert_id: 2 * MIN_ALERT_ID_PREFIX + 1 };

const LISTED = [
  'status',
  'severity',
  'rule',
  'subject',
  'principal',
  'count',
  'first_seen',
  'last_seen',
  'alert_id',
];

async function withAlertBook<T>(options: AlertsOptions, use: (book: Store) => Promise<T>) {
  const book = await openStore(options.store, { ...options.storeOptions, mustExist: true });
  try {
    return await use(book);
  } finally {
    await book.close();
  }
}

/** `tokentrail alerts list [--status S]`. */
export function alertsListCommand(status: AlertStatus | undefined, options: AlertsOptions, io: CliIo) {
  return withAlertBook(options, async (book) => {
    const rows = await book.listAlerts(status);
    const result: QueryResult = {
      columns: options.json ? ALERT_COLUMNS.map((column) => column.name) : LISTED,
      rows: (options.json
        ? rows
        : rows.map((row) => ({ ...row, ...alertParties(row) }))) as unknown as QueryResult['rows'],
    };
    if (options.json) io.stdout.write(renderNdjson(result));
    else if (rows.length > 0)
      io.stdout.write(fittedTable(result, options.tableWidth ?? null, { minimums: ALERT_ID_MINIMUM }));
    if (!options.json && rows.length === 0) io.stderr.write('no alerts\n');
    return EXIT.ok;
  });
}

/** Why `given` names no single alert; when it names several, the candidates. */
function unresolved(given: string, match: Exclude<AlertIdMatch, { kind: 'one' }>, rows: readonly AlertRow[]) {
  const shown = terminalSafe(given);
  if (match.kind === 'none') return `no alert ${shown}`;
  if (match.kind === 'too-short') {
    return `alert id ${shown} is too short: give the id from alerts list, or at least its first ${MIN_ALERT_ID_PREFIX} hex digits`;
  }
  const candidates = rows
    .filter((row) => match.ids.includes(row.alert_id))
    .map((row) => `\n  ${row.alert_id}  ${row.status}  ${row.rule}  last seen ${row.last_seen}`);
  return `alert id ${shown} is ambiguous: ${match.ids.length} alerts start with it; give more digits${candidates.join('')}`;
}

/**
 * `tokentrail alerts ack ID...`: no more messages for these incidents, even if they grow. Each ID
 * is an id from `alerts list`, or a prefix of at least 6 hex digits that only one of them starts with.
 */
export function alertsAckCommand(ids: readonly string[], options: AlertsOptions, io: CliIo) {
  return withAlertBook(options, async (book) => {
    const rows = await book.listAlerts();
    const known = rows.map((row) => row.alert_id);
    let failed = 0;
    for (const given of ids) {
      const match = matchAlertId(given, known);
      if (match.kind !== 'one') {
        failed++;
        io.stderr.write(`tokentrail: ${unresolved(given, match, rows)}\n`);
      } else if (await book.updateAlert(match.id, { status: 'acked' }, timestampOf(io.now()))) {
        io.stdout.write(`acked ${match.id}\n`);
      } else {
        failed++;
        io.stderr.write(`tokentrail: no alert ${match.id}\n`);
      }
    }
    return failed === 0 ? EXIT.ok : EXIT.failure;
  });
}

/**
 * `tokentrail alerts retry [--unconfirmed]`: delivers again what each channel refused or has not
 * been sent. A post whose answer was lost may have landed: it is named here and resent (once per
 * run) only with `--unconfirmed`.
 */
export function alertsRetryCommand(
  channels: readonly AlertChannel[],
  options: AlertsOptions & { readonly unconfirmed?: boolean },
  io: CliIo,
) {
  return withAlertBook(options, async (book) => {
    if (channels.length === 0)
      throw new UsageError('no channel: give --webhook KIND=URL or set TOKENTRAIL_WEBHOOKS');
    const unconfirmed = options.unconfirmed ?? false;
    const rows = await book.alertsToDeliver({ unconfirmed: true });
    const now = io.now();
    for (const row of rows) {
      for (const [key, entry] of Object.entries(deliveriesOf(row).channels)) {
        // Exactly the posts a plain retry leaves alone (not those in flight, nor a grown count's update).
        if (isClaimable(row, key, 'due', now).reason !== 'unconfirmed') continue;
        io.stderr.write(
          `${row.alert_id} to ${entry.channel}: posted ${entry.updated_at} without an answer (${entry.state}); ${
            unconfirmed ? 'sending it once more' : 'not resent without --unconfirmed'
          }\n`,
        );
      }
    }
    const delivered = await deliverAlerts(book, channels, rows, io, {
      mode: unconfirmed ? 'unconfirmed' : 'due',
    });
    return delivered ? EXIT.ok : EXIT.failure;
  });
}
