import { VIEWS } from '../queries/views.js';
import { BIGQUERY_TYPES } from './bigquery-schema.js';
import { TABLES, type TableSpec } from './tables.js';

/** One statement of the BigQuery set-up, named for the file it is written to in infra/bigquery/. */
export interface DdlStatement {
  readonly name: string;
  readonly sql: string;
}

export function bigQueryString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
}

function createTable(dataset: string, table: TableSpec): string {
  const columns = table.columns.map((column) => {
    const nullability = column.required ? ' NOT NULL' : '';
    return `  ${column.name} ${BIGQUERY_TYPES[column.type]}${nullability} OPTIONS (description = ${bigQueryString(column.description)})`;
  });
  return `CREATE TABLE IF NOT EXISTS \`${dataset}.${table.name}\` (
${columns.join(',\n')}
)
PARTITION BY DATE(${table.partitionBy})
CLUSTER BY ${table.clusterBy.join(', ')}
OPTIONS (description = ${bigQueryString(table.description)})`;
}

/** Columns added since the first release, for datasets created before them (idempotent). */
function addLaterColumns(dataset: string, table: TableSpec): DdlStatement[] {
  return table.columns
    .filter((column) => column.addedLater)
    .map((column) => ({
      name: `table-${table.name}-add-${column.name.replaceAll('_', '-')}`,
      sql: `ALTER TABLE \`${dataset}.${table.name}\`
ADD COLUMN IF NOT EXISTS ${column.name} ${BIGQUERY_TYPES[column.type]} OPTIONS (description = ${bigQueryString(column.description)})`,
    }));
}

/**
 * insertAll deduplicates on insertId only best-effort (about a minute), so a redelivered event can
 * land twice. Every query reads through this view. event_time is part of the window's partition
 * (copies of one event share it) so that filters on the partitioning column still prune.
 */
function createUniqueEventsView(dataset: string): string {
  return `CREATE OR REPLACE VIEW \`${dataset}.events_unique\`
OPTIONS (description = 'tokentrail: events with redelivered copies removed (one row per event_id).')
AS SELECT *
FROM \`${dataset}.events\`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id, event_time) = 1`;
}

/**
 * Everything `tokentrail bigquery init` runs, in order; each statement is idempotent. `dataset` is
 * `project.dataset` or a bare dataset name (the console's default project).
 */
export function bigQueryDdl(dataset: string, location = 'US'): DdlStatement[] {
  const table = (name: string) => `\`${dataset}.${name}\``;
  return [
    {
      name: 'dataset',
      sql: `CREATE SCHEMA IF NOT EXISTS \`${dataset}\`\nOPTIONS (location = ${bigQueryString(location)})`,
    },
    ...TABLES.flatMap((spec) => [
      { name: `table-${spec.name}`, sql: createTable(dataset, spec) },
      ...addLaterColumns(dataset, spec),
    ]),
    { name: 'view-events-unique', sql: createUniqueEventsView(dataset) },
    ...VIEWS.map((view) => ({
      name: `view-${view.name.replaceAll('_', '-')}`,
      sql: `CREATE OR REPLACE VIEW ${table(view.name)}
OPTIONS (description = ${bigQueryString(view.description)})
AS ${view.select(table)}`,
    })),
  ];
}
