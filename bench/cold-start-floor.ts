/**
 * The floor under a stored event's cold start: no tokentrail code, only the official BigQuery
 * client inserting one row with the process's Application Default Credentials, loaded on first
 * use as the store loads it. Bundled with the Lambdas' own esbuild settings, it shows what
 * `@google-cloud/bigquery` and google-auth-library cost a fresh process by themselves.
 */
export async function handler(): Promise<void> {
  const library = await import('@google-cloud/bigquery');
  const BigQuery = library.BigQuery ?? (library as unknown as { default: typeof library }).default.BigQuery;
  const client = new BigQuery({
    projectId: 'bench-project',
    apiEndpoint: process.env.TOKENTRAIL_BIGQUERY_ENDPOINT,
  });
  await client
    .dataset('tokentrail')
    .table('events')
    .insert([{ insertId: 'floor', json: { event_id: 'floor' } }], { raw: true });
}
