import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { artifacts, README_PATH, withReadmeTable } from './schema-artifacts.js';

// Stale SQL from renamed statements or queries must not linger beside the fresh files.
for (const directory of ['infra/bigquery/setup', 'infra/bigquery/queries']) {
  rmSync(directory, { recursive: true, force: true });
}
const files = artifacts();
for (const { path, text } of files) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
writeFileSync(README_PATH, withReadmeTable(readFileSync(README_PATH, 'utf8')));
const listed = readdirSync('infra/bigquery/setup').map((name) => join('setup', name));
process.stdout.write(
  `wrote ${files.length} files under infra/bigquery (${listed.length} set-up statements) and the schema table in ${README_PATH}\n`,
);
