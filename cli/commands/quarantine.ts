import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readContentRange } from '../../shared/adapters/files/read-range.js';
import { openStore, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import type { StoreLocation } from '../../shared/adapters/store/store-uri.js';
import { QUARANTINE_LIST, QUARANTINE_SHOW } from '../../shared/core/queries/quarantine-queries.js';
import type { QueryCell } from '../../shared/core/queries/query-result.js';
import { renderNdjson } from '../../shared/core/render/query-output.js';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { fittedTable } from '../fitted-table.js';

export interface QuarantineOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  readonly json: boolean;
  /** The list's width (see tableWidth); null or absent: every cell whole. */
  readonly tableWidth?: number | null;
}

/** Inputs that name no local file: standard input and the cloud deliveries. */
const NOT_A_FILE = /^(-$|s3:\/\/|gs:\/\/|pubsub:|eventarc:|sqs:|bigquery:|duckdb:)/;

/** What re-reading a record from its input found. */
export type Reread =
  | { readonly status: 'match'; readonly file: string; readonly offset: number; readonly bytes: number }
  | { readonly status: 'mismatch'; readonly file: string; readonly offset: number; readonly sha256: string }
  | { readonly status: 'unavailable'; readonly reason: string };

function positionOf(position: QueryCell): { offset: number | null; path: string } {
  const parsed = (typeof position === 'string' ? JSON.parse(position) : position) as {
    offset?: unknown;
    path?: unknown;
  } | null;
  const offset = parsed?.offset;
  return {
    offset: typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0 ? offset : null,
    path: typeof parsed?.path === 'string' ? parsed.path : '',
  };
}

/** The values the decoder framed in a stream: a top-level value, an array element, a Records element. */
const FRAMED_PATH = /^(?:\/Records)?(?:\/\d+)?$/;

/** Reads raw_bytes bytes at position.offset of a local input and checks them against raw_sha256. */
async function reread(row: Readonly<Record<string, QueryCell>>): Promise<{ check: Reread; bytes?: Buffer }> {
  const input = String(row.input);
  const { offset, path } = positionOf(row.position ?? null);
  const length = row.raw_bytes;
  if (typeof length !== 'number' || typeof row.raw_sha256 !== 'string')
    return { check: { status: 'unavailable', reason: 'stored before raw_bytes and raw_sha256 were kept' } };
  if (offset === null) return { check: { status: 'unavailable', reason: 'the position has no byte offset' } };
  if (!FRAMED_PATH.test(path)) {
    const reason = `the record was found inside a delivery envelope (at ${path}): the offset is the envelope's, and raw holds the record as decoded from it`;
    return { check: { status: 'unavailable', reason } };
  }
  if (NOT_A_FILE.test(input) || !existsSync(input))
    return { check: { status: 'unavailable', reason: `${input} is not a local file here` } };
  const bytes = await readContentRange(input, offset, length);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length === length && sha256 === row.raw_sha256)
    return { check: { status: 'match', file: input, offset, bytes: length }, bytes };
  return { check: { status: 'mismatch', file: input, offset, sha256 } };
}

async function withStore<T>(
  options: QuarantineOptions,
  use: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>,
) {
  const store = await openStore(options.store, { ...options.storeOptions, mustExist: true });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** `tokentrail quarantine list`: the newest quarantined records, without their bytes. */
export function quarantineListCommand(options: QuarantineOptions, io: CliIo): Promise<number> {
  return withStore(options, async (store) => {
    const result = await store.query(QUARANTINE_LIST, {});
    if (options.json) io.stdout.write(renderNdjson(result));
    else if (result.rows.length === 0) io.stderr.write('nothing quarantined\n');
    else io.stdout.write(fittedTable(result, options.tableWidth ?? null));
    return EXIT.ok;
  });
}

/**
 * `tokentrail quarantine show ID`: the stored row as one JSON line, with what re-reading the record
 * from a local input found; `--bytes` writes the record's exact bytes instead, once they check out.
 */
export function quarantineShowCommand(
  id: string,
  options: QuarantineOptions & { readonly bytes: boolean },
  io: CliIo,
): Promise<number> {
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new UsageError(`a quarantine id is 64 hex digits, not ${JSON.stringify(id)}`);
  return withStore(options, async (store) => {
    const [row] = (await store.query(QUARANTINE_SHOW, { id })).rows;
    if (row === undefined) {
      io.stderr.write(`tokentrail: no quarantined record ${id} in ${store.description}\n`);
      return EXIT.failure;
    }
    const { check, bytes } = await reread(row);
    if (options.bytes) {
      if (bytes === undefined) {
        io.stderr.write(`tokentrail: cannot give the bytes of ${id}: ${JSON.stringify(check)}\n`);
        return EXIT.failure;
      }
      io.stdout.write(bytes);
      return EXIT.ok;
    }
    io.stdout.write(`${JSON.stringify({ ...row, reread: check })}\n`);
    return check.status === 'mismatch' ? EXIT.failure : EXIT.ok;
  });
}
