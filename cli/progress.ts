import type { Writable } from 'node:stream';
import { StatusLine } from './status-line.js';

function megabytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** A one-line status on a terminal's stderr, redrawn at most once a second; silent elsewhere. */
export class Progress {
  private bytes = 0;
  private files = 0;
  private current = '';
  private readonly started = Date.now();
  private readonly line: StatusLine;

  constructor(
    stream: Writable,
    enabled: boolean,
    private readonly rows: () => number,
  ) {
    this.line = new StatusLine(stream, enabled);
  }

  /** Wraps a byte source so that reading it advances the status line. */
  async *track(name: string, source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    this.current = name;
    // Counted when opened: the decoder may stop reading one early (a gzip bomb), and it still was read.
    this.files++;
    for await (const chunk of source) {
      this.bytes += chunk.length;
      this.line.draw(this.status);
      yield chunk;
    }
  }

  private readonly status = (): string => {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = megabytes(this.bytes / Math.max(seconds, 0.001));
    return `${this.files} files, ${megabytes(this.bytes)} read (${rate}/s), ${this.rows()} rows - ${this.current}`;
  };

  finish(): void {
    this.line.finish();
  }

  totals(): { files: number; bytes: number; seconds: number } {
    return { files: this.files, bytes: this.bytes, seconds: (Date.now() - this.started) / 1000 };
  }
}
