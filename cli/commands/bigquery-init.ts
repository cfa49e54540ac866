import { initBigQuery } from '../../shared/adapters/bigquery/init-dataset.js';
import { parseStoreUri } from '../../shared/adapters/store/store-uri.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { gcpProjectId } from '../gcp-project.js';

export interface BigQueryInitOptions {
  readonly project?: string;
  readonly dataset: string;
  readonly location: string;
  readonly endpoint?: string;
}

/** `tokentrail bigquery init`: the dataset, tables and views, created or updated in place. */
export async function bigQueryInitCommand(options: BigQueryInitOptions, io: CliIo): Promise<number> {
  const location = parseStoreUri(`bigquery://${gcpProjectId(options.project)}/${options.dataset}`);
  if (location.kind !== 'bigquery') return EXIT.failure;
  await initBigQuery(
    {
      projectId: location.projectId,
      dataset: location.dataset,
      location: options.location,
      ...(options.endpoint ? { apiEndpoint: options.endpoint } : {}),
    },
    (step) => io.stderr.write(`[${step.index}/${step.total}] ${step.name}\n`),
  );
  io.stdout.write(
    `bigquery://${location.projectId}/${location.dataset} is ready: tables events, quarantine, alerts; views events_unique, events_attributed, chain_links, chain_roots, access, who_accessed\n`,
  );
  return EXIT.ok;
}
