import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BIGQUERY_SCHEMA_PATH,
  bigQuerySchemaJson,
  README_PATH,
  withReadmeTable,
} from './schema-artifacts.js';

const root = resolve(__dirname, '..');
const regenerate = 'run `npm run schema:generate` and commit the result';

describe('generated schema artifacts', () => {
  it(`keep ${BIGQUERY_SCHEMA_PATH} in step with the row definition (${regenerate})`, () => {
    expect(readFileSync(resolve(root, BIGQUERY_SCHEMA_PATH), 'utf8')).toBe(bigQuerySchemaJson());
  });

  it(`keep the README schema table in step with the row definition (${regenerate})`, () => {
    const readme = readFileSync(resolve(root, README_PATH), 'utf8');
    expect(readme).toBe(withReadmeTable(readme));
  });
});
