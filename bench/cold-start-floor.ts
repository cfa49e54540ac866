import { loadBigQuery } from '../shared/adapters/bigquery/load-bigquery.js';

/**
 * The floor under a stored event's cold start: none of tokentrail's pipeline, only the official
 * BigQuery client, loaded on first use by the store's own loader, inserting one row with the
 * process's Application Default Credentials. Bundled with the Lambdas' own esbuild settings, it
 * shows what `@google-cloud/bigquery` and google-auth-library cost a fresh process by themselves.
 */
export async function handler(): Promise<void> {
  const BigQuery = await loadBigQuery();
  const client = new BigQuery({
    projectId: 'bench-project',
    apiEndpoint: process.env.TOKENTRAIL_BIGQUERY_ENDPOINT,
  });
  await client
    .dataset('tokentrail')
    .table('events')
    .insert([{ insertId: 'floor', json: { event_id: 'floor' } }], { raw: true });
}
