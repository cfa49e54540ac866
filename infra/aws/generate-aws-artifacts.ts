import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { awsArtifacts } from './aws-artifacts.js';

// Run from the repository root: node dist/infra/aws/generate-aws-artifacts.js
const files = awsArtifacts();
for (const { path, text } of files) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
process.stdout.write(`wrote ${files.map((file) => file.path).join(', ')}\n`);
