import { terminalSafe } from '../shared/core/render/terminal-safe.js';
import { UsageError } from './cli-io.js';

// A project id as GCP allows it, optionally domain-scoped (example.com:acme-prod); it ends up in
// request paths and SQL identifiers.
const PROJECT_ID = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

const EXPECTED =
  'a GCP project id such as acme-prod (6 to 30 lowercase letters, digits or hyphens, starting with a letter; not the project number)';

export function isGcpProjectId(value: string): boolean {
  return PROJECT_ID.test(value);
}

/**
 * The `--project` of `backfill gcp`, `sinks apply` and `bigquery init`, checked: one message for
 * all three when it is missing or is not a project id (a UsageError).
 */
export function gcpProjectId(value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--project is required: ${EXPECTED}`);
  if (!isGcpProjectId(value)) throw new UsageError(`--project '${terminalSafe(value)}' is not ${EXPECTED}`);
  return value;
}
