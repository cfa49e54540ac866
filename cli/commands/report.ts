import { rename, writeFile } from 'node:fs/promises';
import { openStore, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import type { StoreLocation } from '../../shared/adapters/store/store-uri.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { loadPageData } from '../ui/load-page-data.js';
import { loadAppScript, pageHtml } from '../ui/page-html.js';

export interface ReportOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  readonly html: string;
  readonly since?: string;
  readonly until?: string;
}

/** `tokentrail report --html FILE`: the lineage and alerts as one file that makes no request when opened. */
export async function reportCommand(options: ReportOptions, io: CliIo): Promise<number> {
  const script = await loadAppScript();
  const store = await openStore(options.store, { ...options.storeOptions, mustExist: true });
  let data: Awaited<ReturnType<typeof loadPageData>>;
  try {
    data = await loadPageData(store, () => io.now(), {
      since: options.since,
      until: options.until,
      live: false,
    });
  } finally {
    await store.close();
  }
  const { html } = pageHtml(data, script, "'none'");
  const partial = `${options.html}.partial`;
  await writeFile(partial, html);
  await rename(partial, options.html);
  io.stderr.write(
    `wrote ${options.html} (${Math.round(html.length / 1024)} KiB): ${data.rows.length} paths, ${data.events.length} events, ${data.alerts.length} alerts, ${data.window.since} to ${data.window.until}\n`,
  );
  return EXIT.ok;
}
