import { EVENT_BRIDGE_PATTERN } from '../../shared/core/queries/event-bridge-pattern.js';
import { formatJson } from '../gcp/gcp-artifacts.js';
import type { Artifact } from '../schema-artifacts.js';

/**
 * The AWS deployment's inputs derived from shared/core, so serverless.yml cannot drift from the
 * code: `node dist/infra/aws/generate-aws-artifacts.js` rewrites them, infra/aws/aws-artifacts.test.ts
 * fails when a committed file differs.
 *
 * - `infra/aws/event-pattern.json`: the EventBridge rule's pattern under `pattern`, which
 *   serverless.yml reads as `${file(./infra/aws/event-pattern.json):pattern}`. A JSON file rather
 *   than a script: `serverless package` then needs no build of dist/.
 */
export const EVENT_PATTERN_PATH = 'infra/aws/event-pattern.json';

export function awsArtifacts(): Artifact[] {
  const file = {
    '//': 'Generated from shared/core/queries/event-bridge-pattern.ts by `npm run schema:generate`; edit the source, not this file.',
    pattern: EVENT_BRIDGE_PATTERN,
  };
  return [{ path: EVENT_PATTERN_PATH, text: `${formatJson(file)}\n` }];
}
