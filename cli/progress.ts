import type { Writable } from 'node:stream';

function megabytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** A one-line status on a terminal's stderr, redrawn at most once a second; silent elsewhere. */
export class Progress {
  private bytes = 0;
  private files = 0;
  private current = '';
  private lastDraw = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: Writable,
    private readonly enabled: boolean,
    private readonly rows: () => number,
  ) {}

  /** Wraps a byte source so that reading it advances the status line. */
  async *track(name: string, source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    this.current = name;
    for await (const chunk of source) {
      this.bytes += chunk.length;
      this.maybeDraw();
      yield chunk;
    }
    this.files++;
  }

  private maybeDraw(): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 1000) return;
    this.lastDraw = now;
    this.drawn = true;
    const seconds = (now - this.started) / 1000;
    const rate = megabytes(this.bytes / Math.max(seconds, 0.001));
    const line = `${this.files} files, ${megabytes(this.bytes)} read (${rate}/s), ${this.rows()} rows - ${this.current}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, 160)}`);
  }

  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
  }

  totals(): { files: number; bytes: number; seconds: number } {
    return { files: this.files, bytes: this.bytes, seconds: (Date.now() - this.started) / 1000 };
  }
}
