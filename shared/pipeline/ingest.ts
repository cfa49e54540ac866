import type { Row } from '../core/schema/row.js';
import { timestampOf } from '../core/time/timestamp.js';
import type { DecodedItem } from '../sources/decoded-item.js';
import { NormalizeRun, type NormalizeSummary } from './normalize.js';
import type { Clock, EventStore, Quarantine, RawTexts, Rejection, RowSink } from './ports.js';

export interface IngestSummary extends NormalizeSummary {
  /** Rows newly stored. */
  readonly written: number;
  /** Events seen twice in this run, plus those the store already held. */
  readonly duplicates: number;
  /** Records kept in the quarantine table: rejected while decoding or normalizing, or refused by the store. */
  readonly quarantined: number;
}

/** Buffers rows up to the store's batch size and keeps what the store refuses. */
class StoreWriter implements RowSink, Quarantine {
  private readonly pending: Row[] = [];
  private readonly pendingTexts: (string | undefined)[] = [];
  written = 0;
  duplicates = 0;
  quarantined = 0;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async write(rows: readonly Row[], rawTexts?: RawTexts): Promise<void> {
    const textOnly = this.store.writesRawFromText === true;
    for (let i = 0; i < rows.length; i++) {
      const text = rawTexts?.[i];
      this.pending.push(textOnly && text !== undefined ? { ...rows[i]!, raw: null } : rows[i]!);
      this.pendingTexts.push(text);
    }
    while (this.pending.length >= this.store.preferredBatchRows) await this.writeBatch();
  }

  async put(rejections: readonly Rejection[]): Promise<void> {
    await this.store.writeQuarantine(rejections, timestampOf(this.clock.now()));
    this.quarantined += rejections.length;
  }

  /** Writes everything still buffered. */
  async flush(): Promise<void> {
    while (this.pending.length > 0) await this.writeBatch();
  }

  /**
   * Writes the first batch of buffered rows: full batches, except a run's last, so that no write
   * is a remainder of a few rows paying the store's cost per batch (a key check, a statement).
   */
  private async writeBatch(): Promise<void> {
    const size = this.store.preferredBatchRows;
    const result = await this.store.writeRows(
      this.pending.splice(0, size),
      this.pendingTexts.splice(0, size),
    );
    this.written += result.written;
    this.duplicates += result.duplicates;
    if (result.refused.length > 0) {
      await this.put(
        result.refused.map(({ row, reason }) => ({
          input: this.store.description,
          code: 'store_rejected',
          message: reason,
          raw: JSON.stringify(row),
          delivery: 'plain',
          position: { value: 0, path: `/event_id/${row.event_id}`, offset: 0 },
        })),
      );
    }
  }
}

/**
 * The ingest use case: normalize every input into a store. Rows are buffered to the store's batch
 * size and written when full and at `finish()`; rejected records go to the store's quarantine as
 * they occur. Writes are idempotent on event_id, so re-running over the same inputs adds nothing.
 */
export class IngestRun {
  private readonly writer: StoreWriter;
  private readonly normalize: NormalizeRun;

  /** `tap`, when given, sees every normalized row too (per-event detection in the functions). */
  constructor(
    private readonly store: EventStore,
    clock: Clock,
    tap?: RowSink,
  ) {
    this.writer = new StoreWriter(store, clock);
    const sink: RowSink = tap
      ? {
          write: async (rows, rawTexts) => {
            await tap.write(rows);
            await this.writer.write(rows, rawTexts);
          },
        }
      : this.writer;
    this.normalize = new NormalizeRun(sink, this.writer, {
      sinkKeepsOneRowPerEvent: store.keepsOneRowPerEvent === true,
    });
  }

  consume(
    input: string,
    batches: AsyncIterable<readonly DecodedItem[]> | Iterable<readonly DecodedItem[]>,
  ): Promise<void> {
    return this.normalize.consume(input, batches);
  }

  /** Writes what is still buffered and commits it. Call once all inputs are consumed (and before reading the summary). */
  async finish(): Promise<void> {
    await this.writer.flush();
    await this.store.commit?.();
  }

  summary(): IngestSummary {
    const normalized = this.normalize.summary();
    return {
      ...normalized,
      written: this.writer.written,
      duplicates: normalized.duplicates + this.writer.duplicates,
      quarantined: this.writer.quarantined,
    };
  }
}
