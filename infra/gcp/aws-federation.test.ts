// biome-ignore-all lint/suspicious/noTemplateCurlyInString: hcl2json renders Terraform expressions as "${...}" strings
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { awsCredentialConfig } from '../../shared/adapters/gcp-auth/aws-credential-config.js';

/**
 * infra/gcp/aws-federation.tf, checked offline (no terraform binary here): hcl2json parses it and
 * validates its syntax, and the assertions pin what the trust must be. Blocks come out as arrays
 * and expressions as "${...}" strings.
 */
const INFRA = resolve(__dirname, '..');
const FILE = join(__dirname, 'aws-federation.tf');
const SOURCE = readFileSync(FILE, 'utf8');

type Block = Record<string, unknown>;
interface Hcl {
  readonly variable?: Record<string, Block[]>;
  readonly resource?: Record<string, Record<string, Block[]>>;
  readonly output?: Record<string, Block[]>;
}

/** The one block `resource "TYPE" "NAME"` of the file. */
function resource(hcl: Hcl, type: string, name: string): Block {
  const blocks = hcl.resource?.[type]?.[name];
  if (blocks?.length !== 1) throw new Error(`expected exactly one resource "${type}" "${name}"`);
  return blocks[0]!;
}

/** Renders `${var.x}`, `${jsonencode(var.x)}` and resource references the way terraform would, for example values. */
function render(template: string, values: Readonly<Record<string, unknown>>): string {
  return template.replaceAll(
    /\$\{(jsonencode\()?([a-z_.]+)\)?\}/g,
    (whole, encode: string | undefined, name: string) => {
      if (!(name in values)) throw new Error(`no example value for ${whole}`);
      const value = values[name];
      return encode ? JSON.stringify(value) : String(value);
    },
  );
}

function tfFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : tfFiles(path);
    return entry.name.endsWith('.tf') ? [path] : [];
  });
}

/** Every key name anywhere inside a value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

const EXAMPLE = {
  'var.project': 'audit-proj',
  'var.dataset': 'tokentrail',
  'var.aws_account_id': '111122223333',
  'var.aws_lambda_role_names': ['tokentrail-prod-us-east-1-lambdaRole', 'tokentrail-backfill'],
  'google_iam_workload_identity_pool.aws.name':
    'projects/987654321098/locations/global/workloadIdentityPools/tokentrail-aws',
  'google_iam_workload_identity_pool_provider.aws.name':
    'projects/987654321098/locations/global/workloadIdentityPools/tokentrail-aws/providers/aws-lambda',
  'google_service_account.lambda.email': 'tokentrail-lambda@audit-proj.iam.gserviceaccount.com',
};

describe('infra/gcp/aws-federation.tf', () => {
  let hcl: Hcl;

  beforeAll(async () => {
    hcl = (await parse('aws-federation.tf', SOURCE)) as Hcl;
  });

  it('stands alone: declares its own variables and uses only var.project and var.dataset from variables.tf', () => {
    const declared = Object.keys(hcl.variable ?? {});
    expect(declared.sort()).toEqual(['aws_account_id', 'aws_federation_pool_id', 'aws_lambda_role_names']);
    const used = new Set([...SOURCE.matchAll(/\bvar\.([a-z_]+)/g)].map((match) => match[1]!));
    expect([...used].filter((name) => !declared.includes(name)).sort()).toEqual(['dataset', 'project']);
    expect(hcl.variable?.aws_federation_pool_id?.[0]?.default).toBe('tokentrail-aws');
  });

  it('creates the pool and an AWS provider that trusts the one account', () => {
    const pool = resource(hcl, 'google_iam_workload_identity_pool', 'aws');
    expect(pool).toMatchObject({
      project: '${var.project}',
      workload_identity_pool_id: '${var.aws_federation_pool_id}',
    });
    const provider = resource(hcl, 'google_iam_workload_identity_pool_provider', 'aws');
    expect(provider).toMatchObject({
      project: '${var.project}',
      workload_identity_pool_id: '${google_iam_workload_identity_pool.aws.workload_identity_pool_id}',
      aws: [{ account_id: '${var.aws_account_id}' }],
      attribute_mapping: {
        'google.subject': 'assertion.arn',
        'attribute.aws_role': "assertion.arn.extract('assumed-role/{role}/')",
      },
    });
    expect(provider.oidc).toBeUndefined();
  });

  it('admits exactly the Lambda execution roles in its attribute condition', () => {
    const provider = resource(hcl, 'google_iam_workload_identity_pool_provider', 'aws');
    expect(render(String(provider.attribute_condition), EXAMPLE)).toBe(
      "assertion.arn.startsWith('arn:aws:sts::111122223333:assumed-role/') && " +
        'attribute.aws_role in ["tokentrail-prod-us-east-1-lambdaRole","tokentrail-backfill"]',
    );
  });

  it('lets each role impersonate the service account through its own principalSet, never the whole pool', () => {
    const account = resource(hcl, 'google_service_account', 'lambda');
    expect(account).toMatchObject({ project: '${var.project}', account_id: 'tokentrail-lambda' });

    const grants = hcl.resource?.google_service_account_iam_member ?? {};
    expect(Object.keys(grants)).toEqual(['lambda_role_impersonates']);
    const grant = resource(hcl, 'google_service_account_iam_member', 'lambda_role_impersonates');
    expect(grant).toEqual({
      for_each: '${toset(var.aws_lambda_role_names)}',
      service_account_id: '${google_service_account.lambda.name}',
      role: 'roles/iam.workloadIdentityUser',
      member:
        'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.aws.name}/attribute.aws_role/${each.value}',
    });
    expect(render(String(grant.member), { ...EXAMPLE, 'each.value': 'tokentrail-backfill' })).toBe(
      'principalSet://iam.googleapis.com/projects/987654321098/locations/global/workloadIdentityPools/tokentrail-aws/attribute.aws_role/tokentrail-backfill',
    );
    // Authoritative bindings and policies would also drop grants made elsewhere.
    for (const type of ['google_service_account_iam_binding', 'google_service_account_iam_policy']) {
      expect(hcl.resource?.[type]).toBeUndefined();
    }
  });

  it('gives the service account BigQuery write on the dataset and job runs in the project, nothing wider', () => {
    const member = 'serviceAccount:${google_service_account.lambda.email}';
    expect(resource(hcl, 'google_bigquery_dataset_iam_member', 'lambda_writes_dataset')).toEqual({
      project: '${var.project}',
      dataset_id: '${var.dataset}',
      role: 'roles/bigquery.dataEditor',
      member,
      depends_on: ['${google_bigquery_dataset.tokentrail}'], // the grant waits for the dataset
    });
    expect(resource(hcl, 'google_project_iam_member', 'lambda_runs_jobs')).toEqual({
      project: '${var.project}',
      role: 'roles/bigquery.jobUser',
      member,
    });
  });

  it('outputs the same credential config the code builds, with no secret in it', async () => {
    const value = String(hcl.output?.lambda_credential_config?.[0]?.value);
    const literal = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(value)?.[1];
    if (literal === undefined)
      throw new Error('lambda_credential_config must stay jsonencode({ ... }) of an object literal');
    // Re-parse the object literal on its own, so hcl2json turns it into JSON with "${...}" strings.
    const { locals } = (await parse('output.tf', `locals {\n  config = ${literal}\n}\n`)) as {
      locals: { config: unknown }[];
    };
    const rendered = JSON.parse(render(JSON.stringify(locals[0]!.config), EXAMPLE));
    expect(rendered).toEqual(
      awsCredentialConfig({
        providerName: EXAMPLE['google_iam_workload_identity_pool_provider.aws.name'],
        serviceAccountEmail: EXAMPLE['google_service_account.lambda.email'],
      }),
    );
    const secrets = [
      'private_key',
      'private_key_id',
      'client_secret',
      'refresh_token',
      'credential_source.url',
    ];
    expect(keysOf(rendered).filter((key) => secrets.includes(key))).toEqual([]);
    expect(hcl.output?.lambda_credential_config?.[0]?.sensitive).toBeUndefined();
  });

  it('leaves no service account key resource and no whole-pool grant anywhere in infra/', async () => {
    const files = tfFiles(INFRA);
    expect(files.map((file) => relative(INFRA, file))).toContain('gcp/aws-federation.tf');
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const parsed = (await parse(file, text)) as Hcl;
      const where = relative(INFRA, file);
      expect({ where, keys: Object.keys(parsed.resource?.google_service_account_key ?? {}) }).toEqual({
        where,
        keys: [],
      });
      expect({ where, text: /google_service_account_key/.test(text) }).toEqual({ where, text: false });
      expect({ where, wholePool: /principalSet:\/\/[^"\s]*\/\*"/.test(text) }).toEqual({
        where,
        wholePool: false,
      });
    }
  });
});
