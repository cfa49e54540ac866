import type { Writable } from 'node:stream';

/** One status line on a terminal's stderr, redrawn at most once a second; silent when disabled. */
export class StatusLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: Writable,
    private readonly enabled: boolean,
  ) {}

  /** Redraws the line unless it was drawn less than a second ago; `text` is built only then. */
  draw(text: () => string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 1000) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(`\r\x1b[2K${text().slice(0, 160)}`);
  }

  /** Clears the line, so what follows starts on a clean one. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
