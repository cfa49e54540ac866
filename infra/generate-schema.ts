import { readFileSync, writeFileSync } from 'node:fs';
import {
  BIGQUERY_SCHEMA_PATH,
  bigQuerySchemaJson,
  README_PATH,
  withReadmeTable,
} from './schema-artifacts.js';

writeFileSync(BIGQUERY_SCHEMA_PATH, bigQuerySchemaJson());
writeFileSync(README_PATH, withReadmeTable(readFileSync(README_PATH, 'utf8')));
process.stdout.write(`wrote ${BIGQUERY_SCHEMA_PATH} and the schema table in ${README_PATH}\n`);
