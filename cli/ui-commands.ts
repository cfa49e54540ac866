import type { Command } from 'commander';
import { parseStoreUri } from '../shared/adapters/store/store-uri.js';
import { settingsOf } from './cli-settings.js';
import type { CommandContext } from './store-commands.js';

const STORE_HELP =
  'a DuckDB file path or bigquery://PROJECT/DATASET (default: $TOKENTRAIL_STORE, else .tokentrail/tokentrail.duckdb)';

/** `report --html` and `ui`: the lineage and alerts page, as a file or served. Loaded when run. */
export function registerUiCommands(program: Command, { io, setExit }: CommandContext): void {
  const storeOptions = {
    get bigQueryEndpoint() {
      return settingsOf(io).endpoints.bigquery;
    },
  };
  const store = (flags: { store?: string }) => parseStoreUri(flags.store ?? settingsOf(io).store);

  program
    .command('report')
    .description('write the lineage and alerts as one self-contained HTML file, for a ticket or an audit')
    .requiredOption('--html <file>', 'the file to write')
    .option('--since <time>', 'from this time on (7d, 12h, a date)', '7d')
    .option('--until <time>', 'up to this time (default: now)')
    .option('--store <uri>', STORE_HELP)
    .addHelpText(
      'after',
      `
The file holds its data, style and script inline and makes no network request when opened; its
Content-Security-Policy allows only its own script and style (by hash). An edge's events are the
newest 5000 of the window.

Example:
  $ tokentrail report --html lineage.html --store .tokentrail/demo.duckdb --since 7d`,
    )
    .action(async (flags: { html: string; since: string; until?: string; store?: string }) => {
      const { reportCommand } = await import('./commands/report.js');
      setExit(
        await reportCommand(
          { store: store(flags), storeOptions, html: flags.html, since: flags.since, until: flags.until },
          io,
        ),
      );
    });

  program
    .command('ui')
    .description('serve the lineage and alerts page on 127.0.0.1 (acknowledge alerts from it)')
    .option('--store <uri>', STORE_HELP)
    .option(
      '--since <time>',
      "the page's window from this time on (7d, 12h, a date; the page can change it)",
      '7d',
    )
    .option('--until <time>', "the page's window up to this time (default: now)")
    .option('--port <n>', 'the port (0: any free one)', (value) => Number.parseInt(value, 10), 8787)
    .option(
      '--host <host>',
      'the address to listen on; anything but loopback prints an access token every request must carry',
      '127.0.0.1',
    )
    .addHelpText(
      'after',
      `
The page reads the store as 'tokentrail query' does; its one write is Acknowledge, the same as
'tokentrail alerts ack'. The page's window (--since/--until) can be changed on the page, and stays
in its address (?since=30d). Ctrl-C stops it.

Examples:
  $ tokentrail ui --store .tokentrail/demo.duckdb
  $ tokentrail ui --host 0.0.0.0 --port 8080`,
    )
    .action(async (flags: { store?: string; port: number; host: string; since: string; until?: string }) => {
      const { uiCommand } = await import('./commands/ui.js');
      setExit(
        await uiCommand(
          {
            store: store(flags),
            storeOptions,
            host: flags.host,
            port: flags.port,
            window: { since: flags.since, until: flags.until },
          },
          io,
        ),
      );
    });
}
