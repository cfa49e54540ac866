import type { IpRanges } from '../../core/network/index.js';
import { DEFAULT_RANGES_DIRECTORY, loadIpRanges } from './range-files.js';

const loaded = new Map<string, Promise<IpRanges>>();

/**
 * The published ranges packaged with the functions (DEFAULT_RANGES_DIRECTORY under the package
 * root, which is the working directory of a Lambda and of a Cloud Function), read on first call and
 * kept for the life of the instance. Without the files, no ranges (NO_RANGES): the address blocks
 * still decide. A malformed file rejects, and the next call tries again.
 */
export function deployedIpRanges(directory: string = DEFAULT_RANGES_DIRECTORY): Promise<IpRanges> {
  let ranges = loaded.get(directory);
  if (ranges === undefined) {
    ranges = loadIpRanges(directory).catch((error: unknown) => {
      loaded.delete(directory);
      throw error;
    });
    loaded.set(directory, ranges);
  }
  return ranges;
}
