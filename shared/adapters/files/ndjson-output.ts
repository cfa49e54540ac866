import type { Writable } from 'node:stream';
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

/** Rows as NDJSON, one per line, in column order; `raw` only when asked for (it can be large). */
export class NdjsonRowSink implements RowSink {
  constructor(
    private readonly stream: Writable,
    private readonly includeRaw: boolean,
  ) {}

  write(rows: readonly Row[]): Promise<void> {
    let text = '';
    for (const row of rows) text += `${this.includeRaw ? JSON.stringify(row) : stringifyWithoutRaw(row)}\n`;
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
