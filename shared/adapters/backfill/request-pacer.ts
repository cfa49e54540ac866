import { setTimeout as delay } from 'node:timers/promises';

/** The clock and the wait a pacer uses, passed in so tests measure pacing without waiting. */
export interface Pacing {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_PACING: Pacing = { nowMs: () => Date.now(), sleep: (ms) => delay(ms) };

/**
 * A token bucket: at most `perSecond` requests a second on average, and at most `burst` at once.
 * With a burst of 1 it spaces requests evenly, which is what a hard API limit such as CloudTrail
 * LookupEvents' 2 requests per second per account and region needs (excess calls are throttled).
 */
export class RequestPacer {
  private tokens: number;
  private refilledAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    private readonly pacing: Pacing = REAL_PACING,
    private readonly burst = 1,
  ) {
    if (!(perSecond > 0)) throw new RangeError('a pacer needs a rate above zero');
    this.tokens = burst;
    this.refilledAt = pacing.nowMs();
  }

  /** Resolves when a request may be sent. Callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.pacing.nowMs();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.pacing.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
    }
  }
}
