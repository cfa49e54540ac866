import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gcpArtifacts, VIEWS_DIRECTORY } from './gcp-artifacts.js';

// Run from the repository root: node dist/infra/gcp/generate-gcp-artifacts.js
// A renamed view must not leave its old template behind.
rmSync(VIEWS_DIRECTORY, { recursive: true, force: true });
const files = gcpArtifacts();
for (const { path, text } of files) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
process.stdout.write(`wrote ${files.map((file) => file.path).join(', ')}\n`);
