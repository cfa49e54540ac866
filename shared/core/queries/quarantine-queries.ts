import type { NamedQuery } from './named-queries.js';

/** At most this many rows in `tokentrail quarantine list`, newest first. */
const QUARANTINE_LIST_LIMIT = 1000;

const LISTED = 'quarantine_id, quarantined_at, code, input, raw_bytes, raw_truncated, message';

export const QUARANTINE_LIST: NamedQuery = {
  name: 'quarantine-list',
  description: 'the quarantined records, newest first: id, when, why, where from, how many bytes',
  params: [],
  duckdb: `SELECT ${LISTED}
FROM quarantine
ORDER BY quarantined_at DESC, quarantine_id
LIMIT ${QUARANTINE_LIST_LIMIT}`,
  bigquery: (dataset) => `SELECT ${LISTED}
FROM \`${dataset}.quarantine\`
ORDER BY quarantined_at DESC, quarantine_id
LIMIT ${QUARANTINE_LIST_LIMIT}`,
};

const SHOWN =
  'quarantine_id, quarantined_at, input, delivery, position, code, message, raw_bytes, raw_sha256, raw_truncated, raw';

/** One quarantined record, whole row; BigQuery may hold insertAll copies of it, hence the limit. */
export const QUARANTINE_SHOW: NamedQuery = {
  name: 'quarantine-show',
  description: 'one quarantined record by its quarantine_id',
  params: ['id'],
  duckdb: `SELECT ${SHOWN} FROM quarantine WHERE quarantine_id = $id LIMIT 1`,
  bigquery: (dataset) =>
    `SELECT ${SHOWN.replace('position', 'TO_JSON_STRING(position) AS position')} FROM \`${dataset}.quarantine\` WHERE quarantine_id = @id LIMIT 1`,
};
