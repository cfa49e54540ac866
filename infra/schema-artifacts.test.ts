import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { artifacts, README_PATH, withReadmeTable } from './schema-artifacts.js';

const root = resolve(__dirname, '..');
const regenerate = 'run `npm run schema:generate` and commit the result';

describe('generated schema artifacts', () => {
  it.each(artifacts().map((artifact) => [artifact.path, artifact.text]))(
    `keep %s in step with its definition (${regenerate})`,
    (path, text) => {
      expect(readFileSync(resolve(root, path), 'utf8')).toBe(text);
    },
  );

  it(`leave no stale SQL files behind (${regenerate})`, () => {
    const expected = new Set(artifacts().map((artifact) => artifact.path));
    for (const directory of ['infra/bigquery/setup', 'infra/bigquery/queries']) {
      for (const name of readdirSync(resolve(root, directory))) {
        expect(expected).toContain(join(directory, name));
      }
    }
  });

  it(`keep the README schema table in step with the row definition (${regenerate})`, () => {
    const readme = readFileSync(resolve(root, README_PATH), 'utf8');
    expect(readme).toBe(withReadmeTable(readme));
  });
});
