import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EVENT_BRIDGE_PATTERN } from '../../shared/core/queries/event-bridge-pattern.js';
import { awsArtifacts, EVENT_PATTERN_PATH } from './aws-artifacts.js';

const root = resolve(__dirname, '../..');
const regenerate =
  'run `npm run build && node dist/infra/aws/generate-aws-artifacts.js` (part of npm run schema:generate) and commit the result';

describe('generated AWS inputs', () => {
  it.each(awsArtifacts().map((artifact) => [artifact.path, artifact.text]))(
    `keep %s in step with shared/core (${regenerate})`,
    (path, text) => {
      expect(readFileSync(resolve(root, path), 'utf8')).toBe(text);
    },
  );

  it('hold the EventBridge pattern under the key serverless.yml reads', () => {
    const serverless = readFileSync(resolve(root, 'serverless.yml'), 'utf8');
    expect(serverless).toContain(`EventPattern: \${file(./${EVENT_PATTERN_PATH}):pattern}`);
    expect(JSON.parse(readFileSync(resolve(root, EVENT_PATTERN_PATH), 'utf8')).pattern).toEqual(
      EVENT_BRIDGE_PATTERN,
    );
  });
});
