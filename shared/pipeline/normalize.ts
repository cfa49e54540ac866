import type { RejectCode, SkipReason } from '../core/errors.js';
import { normalizeRecord } from '../core/normalize/normalize-record.js';
import type { Row } from '../core/schema/row.js';
import type { DecodedItem } from '../sources/decoded-item.js';
import type { Quarantine, Rejection, RowSink } from './ports.js';
import { SeenEventIds } from './seen-event-ids.js';

export interface NormalizeSummary {
  readonly rows: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly skippedBy: Partial<Record<SkipReason, number>>;
  readonly rejectedBy: Partial<Record<RejectCode, number>>;
  readonly rowsByKind: Record<string, number>;
}

function increment<K extends string>(counts: Partial<Record<K, number>>, key: K): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function total(counts: Partial<Record<string, number>>): number {
  let sum = 0;
  for (const count of Object.values(counts)) sum += count ?? 0;
  return sum;
}

/**
 * The normalize use case: decoded items in, rows to a RowSink and rejections to a Quarantine.
 * One run spans many inputs; an event delivered twice (two files, two envelopes) yields one row.
 */
export class NormalizeRun {
  private readonly seen = new SeenEventIds();
  private duplicates = 0;
  private readonly skippedBy: Partial<Record<SkipReason, number>> = {};
  private readonly rejectedBy: Partial<Record<RejectCode, number>> = {};
  private readonly rowsByKind: Record<string, number> = {};

  /**
   * `sinkKeepsOneRowPerEvent`: the sink itself keeps one row per event_id, so the run hands it every
   * row and does not remember each event_id it has seen (a set that grows with the input).
   */
  constructor(
    private readonly sink: RowSink,
    private readonly quarantine: Quarantine,
    private readonly options: { readonly sinkKeepsOneRowPerEvent?: boolean } = {},
  ) {}

  /** Normalizes one input's batches; resolves once its rows and rejections have been handed over. */
  async consume(
    input: string,
    batches: AsyncIterable<readonly DecodedItem[]> | Iterable<readonly DecodedItem[]>,
  ): Promise<void> {
    for await (const batch of batches) {
      const rows: Row[] = [];
      const rawTexts: (string | undefined)[] = [];
      const rejections: Rejection[] = [];
      for (const item of batch) this.take(input, item, rows, rawTexts, rejections);
      if (rows.length > 0) await this.sink.write(rows, rawTexts);
      if (rejections.length > 0) await this.quarantine.put(rejections);
    }
  }

  private take(
    input: string,
    item: DecodedItem,
    rows: Row[],
    rawTexts: (string | undefined)[],
    rejections: Rejection[],
  ): void {
    if (item.type === 'skip') {
      increment(this.skippedBy, item.reason);
      return;
    }
    if (item.type === 'reject') {
      this.reject(rejections, {
        input,
        code: item.code,
        message: item.message,
        raw: item.raw,
        ...(item.whole ? { whole: item.whole } : {}),
        delivery: item.delivery,
        position: item.position,
      });
      return;
    }
    const outcome = normalizeRecord(item.record);
    if (outcome.type === 'skip') {
      increment(this.skippedBy, outcome.reason);
    } else if (outcome.type === 'reject') {
      const raw = item.text ?? JSON.stringify(item.record.value);
      this.reject(rejections, {
        input,
        code: outcome.code,
        message: outcome.message,
        raw,
        delivery: item.delivery,
        position: item.position,
      });
    } else if (!this.options.sinkKeepsOneRowPerEvent && !this.seen.add(outcome.row.event_id)) {
      this.duplicates++;
    } else {
      increment(this.rowsByKind, outcome.kind);
      rows.push(outcome.row);
      // A row's raw is the record itself, so the record's own text is raw's JSON text.
      rawTexts.push(outcome.row.raw === item.record.value ? item.text : undefined);
    }
  }

  private reject(rejections: Rejection[], rejection: Rejection): void {
    increment(this.rejectedBy, rejection.code);
    rejections.push(rejection);
  }

  summary(): NormalizeSummary {
    return {
      rows: total(this.rowsByKind),
      duplicates: this.duplicates,
      skipped: total(this.skippedBy),
      rejected: total(this.rejectedBy),
      skippedBy: { ...this.skippedBy },
      rejectedBy: { ...this.rejectedBy },
      rowsByKind: { ...this.rowsByKind },
    };
  }
}
