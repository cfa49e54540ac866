import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type IpRanges,
  ipRanges,
  RANGE_DOCUMENT_PARSERS,
  type RangeDocument,
  type RangeDocumentKind,
} from '../../core/network/index.js';

/**
 * Where `tokentrail ranges update` writes the lists by default, and where the functions read them:
 * relative to the working directory, which in a deployment is the package root (the Lambda's
 * /var/task, the Cloud Function's source directory). Git-ignored with the rest of .tokentrail/.
 */
export const DEFAULT_RANGES_DIRECTORY = '.tokentrail/ranges';

/** Each list's file in a ranges directory, in lookup order (a prefix two lists share goes to the first). */
export const RANGE_FILES: Readonly<Record<RangeDocumentKind, string>> = {
  aws: 'aws-ip-ranges.json',
  gcp: 'gcp-cloud.json',
  github: 'github-meta.json',
};

export const RANGE_KINDS = Object.keys(RANGE_FILES) as RangeDocumentKind[];

/** A ranges file that is there but cannot be read as its list. */
export class RangeFileError extends Error {
  override readonly name = 'RangeFileError';
}

/** The lists a ranges directory holds, parsed; a missing file is left out, a malformed one throws RangeFileError. */
export async function readRangeDocuments(directory: string): Promise<RangeDocument[]> {
  const documents: RangeDocument[] = [];
  for (const kind of RANGE_KINDS) {
    const path = join(directory, RANGE_FILES[kind]);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new RangeFileError(`${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      documents.push(RANGE_DOCUMENT_PARSERS[kind](text));
    } catch (error) {
      throw new RangeFileError(`${path}: ${(error as Error).message} (run tokentrail ranges update)`, {
        cause: error,
      });
    }
  }
  return documents;
}

/** Every list a ranges directory holds, as one lookup: missing files are fewer ranges, not an error. */
export async function loadIpRanges(directory: string): Promise<IpRanges> {
  const documents = await readRangeDocuments(directory);
  return ipRanges(documents.flatMap((document) => document.entries));
}
