import { createHash } from 'node:crypto';

/** A stable id for a key (quarantine records, alert incidents): SHA-256, hex. */
export function stableId(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
