import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_RANGE_DOCUMENTS } from '../../cli/demo/demo-ranges.js';
import { RANGE_FILES, RANGE_KINDS } from '../../shared/adapters/ranges/range-files.js';

/** Writes the demo world's published ranges as `tokentrail ranges update` would; returns the directory. */
export function writeDemoRanges(directory: string): string {
  mkdirSync(directory, { recursive: true });
  for (const kind of RANGE_KINDS) {
    writeFileSync(join(directory, RANGE_FILES[kind]), JSON.stringify(DEMO_RANGE_DOCUMENTS[kind]));
  }
  return directory;
}
