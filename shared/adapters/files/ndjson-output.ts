import type { Writable } from 'node:stream';
import { COLUMNS } from '../../core/schema/columns.js';
import type { Row } from '../../core/schema/row.js';
import type { Quarantine, Rejection, RowSink } from '../../pipeline/ports.js';
import { quarantineRow } from '../store/quarantine-row.js';

/** Writes and waits for 'drain' when the stream asks, so a slow reader throttles the whole run. */
export function writeRespectingBackpressure(stream: Writable, text: string): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onDrain);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
    stream.once('close', onDrain);
  });
}

/**
 * JSON.stringify skips undefined members. Setting `raw` aside for the call keeps V8 on its fast
 * serializer, which a replacer list or a spread copy of the row do not (measured: ~1.4x, ~2x slower).
 */
export function stringifyWithoutRaw(row: Row): string {
  const { raw } = row;
  row.raw = undefined;
  try {
    return JSON.stringify(row);
  } finally {
    row.raw = raw;
  }
}

/** A string JSON.stringify writes as is between quotes has no quote, backslash, control character or surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what JSON escapes.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * One row's JSON text without `raw`, the same bytes as `stringifyWithoutRaw` for a row in column
 * order (as `newRow` builds every row): per column, null as a literal and a string needing no
 * escape between quotes, with one JSON.stringify per string that needs one. Each column keeps
 * its last string and that member's text, so a value repeated from the previous row (account,
 * region, issuer, user agent) is not scanned again. A value of any other type (a number, an
 * object such as binding_deltas, undefined) sends the whole row to `stringifyWithoutRaw`. The
 * body is generated from COLUMNS so that every column is a named property load; the reasons and
 * figures are in docs/decisions/0005-normalize-hot-path.md.
 */
export const serializeRowWithoutRaw: (row: Row) => string = (() => {
  const names = COLUMNS.map((column) => column.name).filter((name) => name !== 'raw');
  let body = "let s = '{';\nlet v;\n";
  names.forEach((name, index) => {
    const key = `${index === 0 ? '' : ','}${JSON.stringify(name)}:`;
    body +=
      `v = row[${JSON.stringify(name)}];\n` +
      `if (v === null) s += ${JSON.stringify(`${key}null`)};\n` +
      `else if (typeof v === 'string') {\n` +
      `  if (v !== last[${index}]) {\n` +
      `    last[${index}] = v;\n` +
      `    member[${index}] = ${JSON.stringify(key)} + (escape.test(v) ? JSON.stringify(v) : '"' + v + '"');\n` +
      '  }\n' +
      `  s += member[${index}];\n` +
      '} else return whole(row);\n';
  });
  body += "return s + '}';";
  const last: (string | undefined)[] = names.map(() => undefined);
  const member: string[] = names.map(() => '');
  const serialize = new Function(
    'escape',
    'whole',
    'last',
    'member',
    `return function serializeRow(row) {\n${body}\n};`,
  );
  return serialize(NEEDS_ESCAPE, stringifyWithoutRaw, last, member) as (row: Row) => string;
})();

/** Rows as NDJSON, one per line, in column order; `raw` only when asked for (it can be large). */
export class NdjsonRowSink implements RowSink {
  constructor(
    private readonly stream: Writable,
    private readonly includeRaw: boolean,
  ) {}

  write(rows: readonly Row[]): Promise<void> {
    let text = '';
    if (this.includeRaw) for (const row of rows) text += `${JSON.stringify(row)}\n`;
    else for (const row of rows) text += `${serializeRowWithoutRaw(row)}\n`;
    return writeRespectingBackpressure(this.stream, text);
  }
}

/**
 * Rejections as NDJSON lines: where, which code, why, and the whole record's byte length and
 * SHA-256; its text only when asked for, kept by the quarantine table's rule (the first 64 KiB).
 */
export class NdjsonQuarantine implements Quarantine {
  constructor(
    private readonly stream: Writable,
    private readonly includeRaw: boolean,
  ) {}

  put(rejections: readonly Rejection[]): Promise<void> {
    let text = '';
    for (const rejection of rejections) {
      const { input, position, code, message, delivery } = rejection;
      const kept = quarantineRow(rejection, '');
      const line = {
        type: 'reject',
        file: input,
        ...position,
        delivery,
        code,
        message,
        bytes: kept.raw_bytes,
        sha256: kept.raw_sha256,
      };
      text += `${JSON.stringify(this.includeRaw ? { ...line, raw: kept.raw, raw_truncated: kept.raw_truncated } : line)}\n`;
    }
    return writeRespectingBackpressure(this.stream, text);
  }
}
