import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AUDITED_METHODS } from '../../shared/core/queries/log-router-filter.js';
import { bigQueryDdl } from '../../shared/core/schema/bigquery-ddl.js';
import {
  DATASET_PLACEHOLDER,
  formatJson,
  gcpArtifacts,
  generatedViews,
  triggerName,
  VIEWS_DIRECTORY,
} from './gcp-artifacts.js';

const root = resolve(__dirname, '../..');
const regenerate =
  'run `npm run build && node dist/infra/gcp/generate-gcp-artifacts.js` (part of npm run schema:generate) and commit the result';

describe('generated GCP Terraform inputs', () => {
  it.each(gcpArtifacts().map((artifact) => [artifact.path, artifact.text]))(
    `keep %s in step with shared/core (${regenerate})`,
    (path, text) => {
      expect(readFileSync(resolve(root, path), 'utf8')).toBe(text);
    },
  );

  it(`leave no stale view templates behind (${regenerate})`, () => {
    const expected = new Set(gcpArtifacts().map((artifact) => artifact.path));
    for (const name of readdirSync(resolve(root, VIEWS_DIRECTORY))) {
      expect(expected).toContain(join(VIEWS_DIRECTORY, name));
    }
  });

  it('turn each view template back into the statement `tokentrail bigquery init` runs', () => {
    const statements = new Map(bigQueryDdl('p.d').map((statement) => [statement.name, statement.sql]));
    for (const view of generatedViews()) {
      const sql = statements.get(`view-${view.name.replaceAll('_', '-')}`);
      expect(sql?.endsWith(`\nAS ${view.template.replaceAll(DATASET_PLACEHOLDER, 'p.d')}`)).toBe(true);
      expect(sql).toContain(`OPTIONS (description = '${view.description.replaceAll("'", "\\'")}')`);
    }
  });

  it('name one valid, distinct Eventarc trigger per audited method', () => {
    const names = AUDITED_METHODS.flatMap(({ serviceName, methods }) =>
      methods.map((method) => triggerName(serviceName, method)),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
    expect(
      triggerName('sts.googleapis.com', 'google.identity.sts.v1beta.SecurityTokenService.ExchangeToken'),
    ).toBe('tokentrail-sts-v1beta-exchangetoken');
    expect(triggerName('storage.googleapis.com', 'storage.objects.get')).toBe(
      'tokentrail-storage-objects-get',
    );
    expect(triggerName('iamcredentials.googleapis.com', 'GenerateAccessToken')).toBe(
      'tokentrail-iamcredentials-generateaccesstoken',
    );
  });

  it('lay JSON out as Biome does, so formatting the repository leaves the file unchanged', () => {
    const value = {
      short: ['a', 'b'],
      empty: [],
      nested: { list: [{ k: 1 }] },
      long: ['x'.repeat(60), 'y'.repeat(60)],
    };
    expect(formatJson(value)).toBe(`{
  "short": ["a", "b"],
  "empty": [],
  "nested": {
    "list": [
      {
        "k": 1
      }
    ]
  },
  "long": [
    "${'x'.repeat(60)}",
    "${'y'.repeat(60)}"
  ]
}`);
    expect(JSON.parse(formatJson(value))).toEqual(value);
  });
});
