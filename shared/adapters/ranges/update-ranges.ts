import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  RANGE_DOCUMENT_NAMES,
  RANGE_DOCUMENT_PARSERS,
  type RangeDocument,
  type RangeDocumentKind,
  type RangeProvider,
} from '../../core/network/index.js';
import { type RetryPolicy, request, type Sleep } from '../http/http-client.js';
import { RANGE_FILES, RANGE_KINDS } from './range-files.js';

/** Where each list is published. */
export const RANGE_URLS: Readonly<Record<RangeDocumentKind, string>> = {
  aws: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
  gcp: 'https://www.gstatic.com/ipranges/cloud.json',
  github: 'https://api.github.com/meta',
};

const HEADERS: Readonly<Record<RangeDocumentKind, Readonly<Record<string, string>>>> = {
  aws: { accept: 'application/json' },
  gcp: { accept: 'application/json' },
  // GitHub's API refuses requests without a User-Agent.
  github: {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'tokentrail',
  },
};

/** Few and short: the lists are small, and an update that fails keeps the previous file. */
const RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 };

/** Each list's URL: the publisher's, or under one root (a local stand-in), keeping its path. */
export function rangeUrls(endpoint?: string): Record<RangeDocumentKind, string> {
  const urls = { ...RANGE_URLS };
  if (endpoint === undefined) return urls;
  const root = endpoint.replace(/\/+$/, '');
  for (const kind of RANGE_KINDS) urls[kind] = `${root}${new URL(RANGE_URLS[kind]).pathname}`;
  return urls;
}

export interface RangeUpdateOptions {
  /** The ranges directory, created when missing. */
  readonly directory: string;
  /** TOKENTRAIL_RANGES_ENDPOINT: one root for the three lists. */
  readonly endpoint?: string;
  readonly http?: { readonly timeoutMs?: number; readonly retry?: RetryPolicy; readonly sleep?: Sleep };
  /** Called as each list is fetched, written, or fails. */
  readonly onProgress?: (line: string) => void;
}

export type RangeUpdateResult =
  | {
      readonly kind: RangeDocumentKind;
      readonly ok: true;
      readonly file: string;
      readonly bytes: number;
      /** Prefixes per provider (GitHub's list also names its macOS runners apart; both count as github-actions). */
      readonly prefixes: Readonly<Partial<Record<RangeProvider, number>>>;
      readonly published: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: RangeDocumentKind;
      readonly ok: false;
      readonly file: string;
      readonly error: string;
      /** A previous file is still there, unchanged. */
      readonly kept: boolean;
    };

function countByProvider(document: RangeDocument): Partial<Record<RangeProvider, number>> {
  const counts: Partial<Record<RangeProvider, number>> = {};
  for (const entry of document.entries) counts[entry.provider] = (counts[entry.provider] ?? 0) + 1;
  return counts;
}

/** Writes `text` to `path` through a temporary file beside it and a rename: a reader sees the old file or the new one, whole. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function updateOne(
  kind: RangeDocumentKind,
  url: string,
  options: RangeUpdateOptions,
): Promise<RangeUpdateResult> {
  const file = join(options.directory, RANGE_FILES[kind]);
  const name = RANGE_DOCUMENT_NAMES[kind];
  const progress = options.onProgress ?? (() => {});
  progress(`${name}: fetching ${url}`);
  try {
    const { text } = await request(
      url,
      { method: 'GET', headers: HEADERS[kind] },
      {
        service: name,
        timeoutMs: options.http?.timeoutMs ?? 30_000,
        retry: options.http?.retry ?? RETRY,
        ...(options.http?.sleep ? { sleep: options.http.sleep } : {}),
      },
    );
    // Checked before anything is written: a truncated body or an error page never replaces a good list.
    const document = RANGE_DOCUMENT_PARSERS[kind](text);
    if (document.entries.length === 0) throw new Error(`${name}: no prefixes in the answer`);
    await writeAtomically(file, text);
    const prefixes = countByProvider(document);
    const bytes = Buffer.byteLength(text);
    progress(`${name}: wrote ${file} (${document.entries.length} prefixes, ${bytes} bytes)`);
    return { kind, ok: true, file, bytes, prefixes, published: document.published };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kept = await exists(file);
    progress(`${name}: failed, ${kept ? `kept the previous ${file}` : `no ${file} written`}: ${message}`);
    return { kind, ok: false, file, error: message, kept };
  }
}

/** Fetches the three published lists and writes each that is valid; a failed one keeps its previous file. */
export async function updateRanges(options: RangeUpdateOptions): Promise<RangeUpdateResult[]> {
  await mkdir(options.directory, { recursive: true });
  const urls = rangeUrls(options.endpoint);
  const results: RangeUpdateResult[] = [];
  for (const kind of RANGE_KINDS) results.push(await updateOne(kind, urls[kind], options));
  return results;
}
