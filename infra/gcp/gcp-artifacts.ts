import { AUDITED_METHODS, LOG_ROUTER_FILTER } from '../../shared/core/queries/log-router-filter.js';
import { bigQueryDdl } from '../../shared/core/schema/bigquery-ddl.js';
import { TABLES } from '../../shared/core/schema/tables.js';
import type { Artifact } from '../schema-artifacts.js';

/**
 * The Terraform inputs derived from shared/core, so the deployed filter, Eventarc triggers, tables
 * and views cannot drift from the code: `node dist/infra/gcp/generate-gcp-artifacts.js` rewrites
 * them, infra/gcp/gcp-artifacts.test.ts fails when a committed file differs.
 *
 * - `infra/gcp/generated-locals.tf.json`: Terraform locals (JSON syntax, read with the .tf files).
 * - `infra/gcp/views/<view>.sql.tftpl`: each view's SELECT for templatefile(), the dataset written
 *   as `${dataset}` (`project.dataset`, since a view must name its tables fully).
 */
export const LOCALS_PATH = 'infra/gcp/generated-locals.tf.json';
export const VIEWS_DIRECTORY = 'infra/gcp/views';
/** How a view template names its dataset: a templatefile() variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform template variable, not a JavaScript one
export const DATASET_PLACEHOLDER = '${dataset}';
// Never a dataset name (those are letters, digits and underscores), so it cannot clash with the SQL.
const SENTINEL = 'tokentrail-dataset-reference';

export interface AuditLogTrigger {
  readonly trigger_name: string;
  readonly service_name: string;
  readonly method_name: string;
}

export interface GeneratedView {
  readonly name: string;
  readonly description: string;
  /** The SELECT with the dataset as `${dataset}`. */
  readonly template: string;
  /** The tables and views it reads, in this dataset. */
  readonly reads: readonly string[];
}

/** Terraform reads every string in a .tf.json file as a template: none may hold template syntax. */
function inert(text: string, what: string): string {
  if (text.includes('${') || text.includes('%{')) {
    throw new Error(`${what} contains Terraform template syntax ("\${" or "%{"); escape it in the generator`);
  }
  return text;
}

/**
 * One Eventarc trigger name per audited (service, method): `tokentrail-<service>-<method part>`,
 * lowercase letters, digits and hyphens, at most 63 characters. Versioned method names keep their
 * version and last segment (`sts-v1-exchangetoken`); others keep what is left after the service.
 */
export function triggerName(serviceName: string, methodName: string): string {
  const service = serviceName.split('.')[0]!.toLowerCase();
  const segments = methodName
    .toLowerCase()
    .split('.')
    .filter((segment) => segment !== 'google' && segment !== service);
  const version = segments.find((segment) => /^v\d+[a-z0-9]*$/.test(segment));
  const kept = version ? [version, segments[segments.length - 1]!] : segments;
  return `tokentrail-${service}-${kept.join('-')}`.replace(/[^a-z0-9-]+/g, '-');
}

export function auditLogTriggers(): Record<string, AuditLogTrigger> {
  const triggers: Record<string, AuditLogTrigger> = {};
  for (const { serviceName, methods } of AUDITED_METHODS) {
    for (const methodName of methods) {
      const name = triggerName(serviceName, methodName);
      if (!/^[a-z][a-z0-9-]{0,62}$/.test(name) || name.endsWith('-')) {
        throw new Error(`Eventarc trigger name '${name}' for ${serviceName} ${methodName} is not valid`);
      }
      if (triggers[name]) throw new Error(`two audited methods map to the trigger name '${name}'`);
      triggers[name] = { trigger_name: name, service_name: serviceName, method_name: methodName };
    }
  }
  return triggers;
}

const VIEW_STATEMENT = new RegExp(
  `^CREATE OR REPLACE VIEW \`${SENTINEL}\\.(\\w+)\`\\nOPTIONS \\(description = '((?:[^'\\\\]|\\\\.)*)'\\)\\nAS ([\\s\\S]+)$`,
);

function unquoteBigQueryString(body: string): string {
  return body.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
}

/** The views of `tokentrail bigquery init`, in dependency order, as Terraform view queries. */
export function generatedViews(): GeneratedView[] {
  return bigQueryDdl(SENTINEL)
    .filter((statement) => statement.name.startsWith('view-'))
    .map((statement) => {
      const match = VIEW_STATEMENT.exec(statement.sql);
      if (!match) throw new Error(`the ${statement.name} statement no longer has the expected shape`);
      const [, name, description, select] = match as unknown as [string, string, string, string];
      const reads = [...select.matchAll(new RegExp(`\`${SENTINEL}\\.(\\w+)\``, 'g'))].map((m) => m[1]!);
      return {
        name,
        description: inert(unquoteBigQueryString(description), `the ${name} view's description`),
        template: inert(select, `the ${name} view`).replaceAll(SENTINEL, DATASET_PLACEHOLDER),
        reads: [...new Set(reads)],
      };
    });
}

/** The content of generated-locals.tf.json. */
export function generatedLocals(): Record<string, unknown> {
  const views = generatedViews();
  return {
    '//': 'Generated from shared/core by `npm run schema:generate`; edit the source, not this file.',
    locals: {
      log_router_filter: inert(LOG_ROUTER_FILTER, 'LOG_ROUTER_FILTER'),
      audited_methods: AUDITED_METHODS.map(({ serviceName, methods }) => ({
        service_name: serviceName,
        methods: [...methods],
      })),
      audit_log_triggers: auditLogTriggers(),
      bigquery_tables: Object.fromEntries(
        TABLES.map((table) => [
          table.name,
          {
            description: inert(table.description, `the ${table.name} table's description`),
            partition_field: table.partitionBy,
            clustering: [...table.clusterBy],
          },
        ]),
      ),
      bigquery_views: Object.fromEntries(
        views.map((view) => [view.name, { description: view.description, reads: view.reads }]),
      ),
    },
  };
}

// Kept in the view's SQL, so it says only what a reader of the view needs.
const GENERATED_SQL =
  '-- tokentrail view, generated from shared/core by `npm run schema:generate`; edit the source, not this file.\n';

const LINE_WIDTH = 110; // biome.json's, so `npm run format` leaves the generated file as it is

/** JSON laid out as Biome formats it: objects one member a line, arrays of scalars on one line when they fit. */
export function formatJson(value: unknown, indent = 0, lineStart = 0, suffix = ''): string {
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) {
      const oneLine = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      if (lineStart + oneLine.length + suffix.length <= LINE_WIDTH) return oneLine;
    }
    const items = value.map((item, index) => {
      const comma = index < value.length - 1 ? ',' : '';
      return `${pad}${formatJson(item, indent + 2, pad.length, comma)}${comma}`;
    });
    return `[\n${items.join('\n')}\n${' '.repeat(indent)}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const members = entries.map(([key, member], index) => {
      const comma = index < entries.length - 1 ? ',' : '';
      const head = `${pad}${JSON.stringify(key)}: `;
      return `${head}${formatJson(member, indent + 2, head.length, comma)}${comma}`;
    });
    return `{\n${members.join('\n')}\n${' '.repeat(indent)}}`;
  }
  return JSON.stringify(value);
}

export function gcpArtifacts(): Artifact[] {
  return [
    { path: LOCALS_PATH, text: `${formatJson(generatedLocals())}\n` },
    ...generatedViews().map((view) => ({
      path: `${VIEWS_DIRECTORY}/${view.name}.sql.tftpl`,
      text: `${GENERATED_SQL}${view.template}\n`,
    })),
  ];
}
