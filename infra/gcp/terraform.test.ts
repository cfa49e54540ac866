// biome-ignore-all lint/suspicious/noTemplateCurlyInString: hcl2json renders Terraform expressions as "${...}" strings
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import {
  AUDITED_METHODS,
  DATA_ACCESS_SERVICES,
  LOG_ROUTER_FILTER,
} from '../../shared/core/queries/log-router-filter.js';
import { TABLES } from '../../shared/core/schema/tables.js';
import { generatedViews, LOCALS_PATH } from './gcp-artifacts.js';

/**
 * No terraform binary here: every .tf file is parsed with hcl2json (HashiCorp's HCL parser compiled
 * to WASM) and the configuration is checked as data. Blocks come back as arrays; expressions as
 * "${...}" strings.
 */
const ROOT = resolve(__dirname, '../..');
const MODULE = resolve(__dirname);
// Another part of the same module (the AWS Lambda's federation into GCP), checked by its own test.
const OTHER_FILES = new Set(['aws-federation.tf']);

// biome-ignore lint/suspicious/noExplicitAny: parsed HCL is inspected freely
type Body = Record<string, any>;

interface Module {
  readonly resources: Map<string, Body[]>; // "type.name" -> blocks
  readonly fileOf: Map<string, string>; // "type.name" -> file name
  readonly data: Map<string, Body>;
  readonly variables: Map<string, Body>;
  readonly outputs: Map<string, Body>;
  readonly locals: Map<string, unknown>;
  readonly files: Map<string, Body>;
}

function tfFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return name === '.terraform' ? [] : tfFiles(path);
    return name.endsWith('.tf') ? [path] : [];
  });
}

async function loadModule(directory: string): Promise<Module> {
  const module: Module = {
    resources: new Map(),
    fileOf: new Map(),
    data: new Map(),
    variables: new Map(),
    outputs: new Map(),
    locals: new Map(),
    files: new Map(),
  };
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.tf'))) {
    const parsed = (await parse(name, readFileSync(join(directory, name), 'utf8'))) as Body;
    module.files.set(name, parsed);
    for (const [type, byName] of Object.entries(parsed.resource ?? {})) {
      for (const [resourceName, blocks] of Object.entries(byName as Body)) {
        module.resources.set(`${type}.${resourceName}`, blocks as Body[]);
        module.fileOf.set(`${type}.${resourceName}`, name);
      }
    }
    for (const [type, byName] of Object.entries(parsed.data ?? {})) {
      for (const [dataName, blocks] of Object.entries(byName as Body)) {
        module.data.set(`${type}.${dataName}`, (blocks as Body[])[0]!);
      }
    }
    for (const [variable, blocks] of Object.entries(parsed.variable ?? {})) {
      module.variables.set(variable, (blocks as Body[])[0]!);
    }
    for (const [output, blocks] of Object.entries(parsed.output ?? {})) {
      module.outputs.set(output, (blocks as Body[])[0]!);
    }
    for (const block of (parsed.locals ?? []) as Body[]) {
      for (const [key, value] of Object.entries(block)) module.locals.set(key, value);
    }
  }
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.tf.json'))) {
    const parsed = JSON.parse(readFileSync(join(directory, name), 'utf8')) as Body;
    for (const [key, value] of Object.entries(parsed.locals ?? {})) module.locals.set(key, value);
  }
  return module;
}

/** The one block of a resource (or fails naming it). */
function resource(module: Module, address: string): Body {
  const blocks = module.resources.get(address);
  if (!blocks) throw new Error(`no resource ${address} in infra/gcp`);
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
}

/** The resources of a type in this task's files (not OTHER_FILES). */
function resourcesOfType(module: Module, type: string): [string, Body][] {
  return [...module.resources.entries()]
    .filter(([address]) => address.startsWith(`${type}.`) && !OTHER_FILES.has(module.fileOf.get(address)!))
    .map(([address, blocks]) => [address, blocks[0]!]);
}

/** Every "${...}" expression in a parsed value, outermost only, braces balanced. */
function expressions(value: unknown): string[] {
  if (typeof value === 'string') {
    const found: string[] = [];
    let index = value.indexOf('${');
    while (index !== -1) {
      let depth = 0;
      let end = index + 1;
      for (; end < value.length; end++) {
        if (value[end] === '{') depth++;
        else if (value[end] === '}' && --depth === 0) break;
      }
      found.push(value.slice(index + 2, end));
      index = value.indexOf('${', end);
    }
    return found;
  }
  if (Array.isArray(value)) return value.flatMap(expressions);
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressions);
  return [];
}

let gcp: Module;

beforeAll(async () => {
  gcp = await loadModule(MODULE);
}, 20_000);

describe('infra/gcp Terraform', () => {
  it('parses every .tf file under infra/', async () => {
    const files = tfFiles(resolve(ROOT, 'infra'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const file of files) {
      await expect(parse(file, readFileSync(file, 'utf8'))).resolves.toBeDefined();
    }
  });

  it('has no service account keys anywhere in infra/', () => {
    for (const file of tfFiles(resolve(ROOT, 'infra'))) {
      expect([file, readFileSync(file, 'utf8').includes('google_service_account_key')]).toEqual([
        file,
        false,
      ]);
    }
  });

  it('refers only to variables, locals, resources and data sources it declares', () => {
    const undeclared: string[] = [];
    for (const [name, file] of gcp.files) {
      for (const expression of expressions(file)) {
        for (const [, variable] of expression.matchAll(/\bvar\.(\w+)/g)) {
          if (!gcp.variables.has(variable!)) undeclared.push(`${name}: var.${variable}`);
        }
        for (const [, local] of expression.matchAll(/\blocal\.(\w+)/g)) {
          if (!gcp.locals.has(local!)) undeclared.push(`${name}: local.${local}`);
        }
        for (const [, address] of expression.matchAll(/\bdata\.(\w+\.\w+)/g)) {
          if (!gcp.data.has(address!)) undeclared.push(`${name}: data.${address}`);
        }
        for (const [, address] of expression.matchAll(/(?<![.\w])(google_\w+\.\w+)/g)) {
          if (!gcp.resources.has(address!)) undeclared.push(`${name}: ${address}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });

  it('takes the documented variables; project and the function bundle are required', () => {
    for (const name of [
      'project',
      'region',
      'dataset',
      'webhook_secret_id',
      'function_source_zip',
      'alert_schedule',
    ]) {
      expect(gcp.variables.has(name)).toBe(true);
    }
    expect('default' in gcp.variables.get('project')!).toBe(false);
    expect('default' in gcp.variables.get('function_source_zip')!).toBe(false);
    expect(gcp.variables.get('alert_schedule')!.default).toBe('*/15 * * * *');
    expect(gcp.variables.get('dataset')!.default).toBe('tokentrail');
  });

  it('routes exactly LOG_ROUTER_FILTER to the audit topic with a unique writer identity', () => {
    expect(gcp.locals.get('log_router_filter')).toBe(LOG_ROUTER_FILTER);
    const sink = resource(gcp, 'google_logging_project_sink.audit');
    expect(sink.filter).toBe('${local.log_router_filter}');
    expect(sink.destination).toBe('pubsub.googleapis.com/${google_pubsub_topic.audit_logs.id}');
    expect(sink.unique_writer_identity).toBe(true);
    expect(resource(gcp, 'google_pubsub_topic.audit_logs').name).toBe('tokentrail-audit-logs');
  });

  it("lets the sink's writer identity publish to the audit topic, and only there", () => {
    const grants = resourcesOfType(gcp, 'google_pubsub_topic_iam_member').filter(
      ([, body]) => body.member === '${google_logging_project_sink.audit.writer_identity}',
    );
    expect(grants.map(([, body]) => [body.topic, body.role])).toEqual([
      ['${google_pubsub_topic.audit_logs.name}', 'roles/pubsub.publisher'],
    ]);
  });

  it('turns on the Data Access logs the filter needs', () => {
    const configs = Object.fromEntries(
      resourcesOfType(gcp, 'google_project_iam_audit_config').map(([, body]) => [
        body.service,
        (body.audit_log_config as Body[]).map((config) => config.log_type).sort(),
      ]),
    );
    expect(configs).toEqual({
      'sts.googleapis.com': ['ADMIN_READ'],
      'iamcredentials.googleapis.com': ['ADMIN_READ'],
      // Service Account Credentials Data Access logs are only enabled through the IAM API's.
      'iam.googleapis.com': ['ADMIN_READ'],
      'storage.googleapis.com': ['DATA_READ', 'DATA_WRITE'],
    });
    for (const service of DATA_ACCESS_SERVICES) expect(Object.keys(configs)).toContain(service);
  });

  it('keeps the audited methods and one Eventarc trigger per (service, method) in step with AUDITED_METHODS', () => {
    expect(gcp.locals.get('audited_methods')).toEqual(
      AUDITED_METHODS.map(({ serviceName, methods }) => ({ service_name: serviceName, methods })),
    );
    const triggers = Object.values(gcp.locals.get('audit_log_triggers') as Record<string, Body>);
    expect(triggers.map((trigger) => [trigger.service_name, trigger.method_name])).toEqual(
      AUDITED_METHODS.flatMap(({ serviceName, methods }) => methods.map((method) => [serviceName, method])),
    );
    for (const trigger of triggers) expect(trigger.trigger_name).toMatch(/^[a-z][a-z0-9-]{0,62}$/);

    const eventarc = resource(gcp, 'google_eventarc_trigger.audit_log');
    expect(eventarc.for_each).toBe(
      '${{ for key, trigger in local.audit_log_triggers : key => trigger if var.enable_audit_log_triggers }}',
    );
    expect(eventarc.name).toBe('${each.value.trigger_name}');
    expect(
      Object.fromEntries((eventarc.matching_criteria as Body[]).map((c) => [c.attribute, c.value])),
    ).toEqual({
      type: 'google.cloud.audit.log.v1.written',
      serviceName: '${each.value.service_name}',
      methodName: '${each.value.method_name}',
    });
    expect(eventarc.destination[0].cloud_run_service[0].service).toBe(
      '${google_cloudfunctions2_function.ingest_audit_log[0].name}',
    );
    expect(eventarc.service_account).toBe('${google_service_account.invoker.email}');
  });

  it('deploys the three functions as gen2 nodejs22 from the uploaded bundle', () => {
    const expected = {
      ingest_audit_log: ['tokentrail-ingest-audit-log', 'ingestAuditLog'],
      ingest_pubsub: ['tokentrail-ingest-pubsub', 'ingestPubSub'],
      scheduled_detect: ['tokentrail-scheduled-detect', 'scheduledDetect'],
    };
    expect(
      resourcesOfType(gcp, 'google_cloudfunctions2_function')
        .map(([address]) => address)
        .sort(),
    ).toEqual(Object.keys(expected).map((name) => `google_cloudfunctions2_function.${name}`));
    for (const [name, [functionName, entryPoint]] of Object.entries(expected)) {
      const fn = resource(gcp, `google_cloudfunctions2_function.${name}`);
      expect(fn.name).toBe(functionName);
      const build = fn.build_config[0];
      expect(build.runtime).toBe('nodejs22');
      expect(build.entry_point).toBe(entryPoint);
      expect(build.source[0].storage_source[0]).toEqual({
        bucket: '${local.function_source.bucket}',
        object: '${local.function_source.object}',
      });
      const service = fn.service_config[0];
      expect(service.service_account_email).toBe('${google_service_account.functions.email}');
    }
    const object = resource(gcp, 'google_storage_bucket_object.function_source');
    expect(object.source).toBe('${var.function_source_zip}');
    expect(object.bucket).toBe('${google_storage_bucket.function_source.name}');
    expect(gcp.locals.get('function_source')).toEqual({
      bucket: '${google_storage_bucket.function_source.name}',
      object: '${google_storage_bucket_object.function_source.name}',
    });
  });

  it('runs scheduled detection every 15 minutes through the schedule topic, retried on failure', () => {
    const detect = resource(gcp, 'google_cloudfunctions2_function.scheduled_detect');
    expect(detect.event_trigger[0]).toMatchObject({
      event_type: 'google.cloud.pubsub.topic.v1.messagePublished',
      pubsub_topic: '${google_pubsub_topic.detect_schedule.id}',
      retry_policy: 'RETRY_POLICY_RETRY',
      service_account_email: '${google_service_account.invoker.email}',
    });
    expect(resource(gcp, 'google_pubsub_topic.detect_schedule').name).toBe('tokentrail-detect-schedule');
    const job = resource(gcp, 'google_cloud_scheduler_job.detect');
    expect(job.schedule).toBe('${var.alert_schedule}');
    expect(job.pubsub_target[0].topic_name).toBe('${google_pubsub_topic.detect_schedule.id}');
  });

  it('pushes the audit topic to the ingest function with retries and a dead-letter topic', () => {
    const push = resource(gcp, 'google_pubsub_subscription.ingest');
    expect(push.topic).toBe('${google_pubsub_topic.audit_logs.id}');
    const uri = '${google_cloudfunctions2_function.ingest_pubsub.service_config[0].uri}';
    expect(push.push_config[0].push_endpoint).toBe(uri);
    expect(push.push_config[0].oidc_token[0]).toEqual({
      service_account_email: '${google_service_account.invoker.email}',
      audience: uri,
    });
    expect(push.dead_letter_policy[0]).toEqual({
      dead_letter_topic: '${google_pubsub_topic.dead_letter.id}',
      max_delivery_attempts: '${var.max_delivery_attempts}',
    });
    expect(push.retry_policy[0]).toEqual({ minimum_backoff: '10s', maximum_backoff: '600s' });
    // The function itself has no trigger of its own: a second, Eventarc-managed subscription would
    // deliver everything twice and could not dead-letter.
    expect(resource(gcp, 'google_cloudfunctions2_function.ingest_pubsub').event_trigger).toBeUndefined();

    // Dead letters are kept (a topic without a subscription drops them) and Pub/Sub may move them.
    expect(resource(gcp, 'google_pubsub_subscription.dead_letter').topic).toBe(
      '${google_pubsub_topic.dead_letter.id}',
    );
    const agent = '${local.pubsub_service_agent}';
    expect(resource(gcp, 'google_pubsub_topic_iam_member.dead_letter_publisher')).toMatchObject({
      topic: '${google_pubsub_topic.dead_letter.name}',
      role: 'roles/pubsub.publisher',
      member: agent,
    });
    expect(resource(gcp, 'google_pubsub_subscription_iam_member.dead_letter_subscriber')).toMatchObject({
      subscription: '${google_pubsub_subscription.ingest.name}',
      role: 'roles/pubsub.subscriber',
      member: agent,
    });
    expect(gcp.locals.get('pubsub_service_agent')).toBe(
      'serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com',
    );
  });

  it('gives the service accounts least privilege: no basic roles, project roles only where needed', () => {
    const projectRoles = resourcesOfType(gcp, 'google_project_iam_member').map(([, body]) => [
      body.member,
      body.role,
    ]);
    const build = resource(gcp, 'google_project_iam_member.build');
    expect(build.for_each).toBe(
      '${toset(["roles/logging.logWriter", "roles/storage.objectViewer", "roles/artifactregistry.writer"])}',
    );
    expect(projectRoles.sort()).toEqual(
      [
        ['${google_service_account.build.member}', '${each.value}'],
        ['${google_service_account.functions.member}', 'roles/bigquery.jobUser'],
        ['${google_service_account.invoker.member}', 'roles/eventarc.eventReceiver'],
      ].sort(),
    );
    expect(resource(gcp, 'google_bigquery_dataset_iam_member.functions_data_editor')).toMatchObject({
      dataset_id: '${google_bigquery_dataset.tokentrail.dataset_id}',
      role: 'roles/bigquery.dataEditor',
      member: '${google_service_account.functions.member}',
    });
    expect(resource(gcp, 'google_secret_manager_secret_iam_member.functions_webhook_secret')).toMatchObject({
      secret_id: '${var.webhook_secret_id}',
      role: 'roles/secretmanager.secretAccessor',
      member: '${google_service_account.functions.member}',
    });
    const invokers = resourcesOfType(gcp, 'google_cloud_run_service_iam_member');
    expect(invokers.map(([, body]) => [body.service, body.role, body.member]).sort()).toEqual(
      [
        ['${google_cloudfunctions2_function.ingest_audit_log[0].name}'],
        ['${google_cloudfunctions2_function.ingest_pubsub.name}'],
        ['${google_cloudfunctions2_function.scheduled_detect.name}'],
      ].map(([service]) => [service, 'roles/run.invoker', '${google_service_account.invoker.member}']),
    );
    for (const [name, file] of gcp.files) {
      if (OTHER_FILES.has(name)) continue;
      const text = JSON.stringify(file);
      for (const broad of ['roles/owner', 'roles/editor', 'roles/viewer', 'roles/iam.serviceAccountUser']) {
        expect([name, text.includes(broad)]).toEqual([name, false]);
      }
    }
  });

  it('creates the tables from the generated schemas, partitioned and clustered as shared/core says', () => {
    expect(gcp.locals.get('bigquery_tables')).toEqual(
      Object.fromEntries(
        TABLES.map((table) => [
          table.name,
          { description: table.description, partition_field: table.partitionBy, clustering: table.clusterBy },
        ]),
      ),
    );
    expect(gcp.locals.get('bigquery_tables')).toHaveProperty('events.partition_field', 'event_time');
    const tables = resource(gcp, 'google_bigquery_table.tables');
    expect(tables.for_each).toBe('${local.bigquery_tables}');
    expect(tables.table_id).toBe('${each.key}');
    expect(tables.schema).toBe('${file("${path.module}/../bigquery/${each.key}.schema.json")}');
    expect(tables.time_partitioning[0]).toEqual({ type: 'DAY', field: '${each.value.partition_field}' });
    expect(tables.clustering).toBe('${each.value.clustering}');
    for (const table of TABLES) {
      expect(() => readFileSync(resolve(ROOT, `infra/bigquery/${table.name}.schema.json`))).not.toThrow();
    }
    const dataset = resource(gcp, 'google_bigquery_dataset.tokentrail');
    expect(dataset.dataset_id).toBe('${var.dataset}');
    expect(dataset.delete_contents_on_destroy).toBe('${var.allow_data_deletion}');
  });

  it('creates every view from its generated template, after what it reads', () => {
    const views = generatedViews();
    const addressOf = (name: string) =>
      views.some((view) => view.name === name)
        ? `google_bigquery_table.view_${name}`
        : 'google_bigquery_table.tables';
    for (const view of views) {
      const body = resource(gcp, addressOf(view.name));
      expect(body.table_id).toBe(view.name);
      expect(body.description).toBe(`\${local.bigquery_views.${view.name}.description}`);
      expect(body.view[0]).toEqual({
        query: `\${templatefile("\${path.module}/views/${view.name}.sql.tftpl", local.view_template_vars)}`,
        use_legacy_sql: false,
      });
      expect(body.depends_on).toEqual(view.reads.map((read) => `\${${addressOf(read)}}`));
    }
    expect(gcp.locals.get('view_template_vars')).toEqual({
      dataset: '${var.project}.${google_bigquery_dataset.tokentrail.dataset_id}',
    });
  });

  it('generates its locals into a JSON configuration file Terraform reads with the .tf files', () => {
    expect(LOCALS_PATH.endsWith('.tf.json')).toBe(true);
    expect(statSync(resolve(ROOT, LOCALS_PATH)).isFile()).toBe(true);
  });
});
