import { openReadOnlyStore, openStore, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import type { StoreLocation } from '../../shared/adapters/store/store-uri.js';
import type { NamedQuery } from '../../shared/core/queries/named-queries.js';
import type { QueryResult } from '../../shared/core/queries/query-result.js';
import { renderCsv, renderNdjson } from '../../shared/core/render/query-output.js';
import { terminalSafe } from '../../shared/core/render/terminal-safe.js';
import { answer } from '../../shared/pipeline/query.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { fittedTable } from '../fitted-table.js';

export type OutputFormat = 'table' | 'json' | 'csv';

export interface QueryOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  readonly format: OutputFormat;
  readonly since?: string;
  readonly until?: string;
  /** The table's width (see tableWidth); null: every cell whole. */
  readonly tableWidth: number | null;
}

function render(result: QueryResult, options: QueryOptions): string {
  if (options.format === 'json') return renderNdjson(result);
  if (options.format === 'csv') return renderCsv(result);
  return fittedTable(result, options.tableWidth);
}

function short(timestamp: string): string {
  return `${timestamp.slice(0, 10)} ${timestamp.slice(11, 16)}`;
}

/** `tokentrail query NAME`: one named question, user input passed as parameters, never as SQL. */
export async function namedQueryCommand(
  query: NamedQuery,
  patterns: Readonly<Record<string, string>>,
  options: QueryOptions,
  io: CliIo,
): Promise<number> {
  const store = await openStore(options.store, { ...options.storeOptions, mustExist: true });
  try {
    const { range, result } = await answer(
      store,
      { now: () => io.now() },
      {
        query,
        patterns,
        since: options.since,
        until: options.until,
      },
    );
    if (options.format === 'table') {
      const filters = Object.entries(patterns).map(([name, glob]) => ` ${name} ${terminalSafe(glob)}`);
      const caption = `${query.name}${filters.join('')}, ${short(range.since)} to ${short(range.until)} UTC, ${store.description}`;
      if (result.rows.length === 0) {
        io.stderr.write(`nothing found: ${caption}\n`);
        return EXIT.ok;
      }
      io.stdout.write(`${caption}\n\n`);
    }
    io.stdout.write(render(result, options));
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** `tokentrail query sql "..."`: the user's own SQL, in the store's dialect; queries only, never a write. */
export async function sqlCommand(text: string, options: QueryOptions, io: CliIo): Promise<number> {
  const store = await openReadOnlyStore(options.store, options.storeOptions);
  try {
    io.stdout.write(render(await store.sql(text), options));
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
