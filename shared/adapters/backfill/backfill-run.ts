import { IngestRun, type IngestSummary } from '../../pipeline/ingest.js';
import type { Clock, EventStore } from '../../pipeline/ports.js';
import type { DecodedItem } from '../../sources/decoded-item.js';
import { CheckpointError, CheckpointFile } from './checkpoint-file.js';

export interface BackfillWindow {
  /** Canonical UTC timestamps, both ends included. */
  readonly since: string;
  readonly until: string;
}

/**
 * How far a backfill got. Sources read in time order, one page after another, so one event time says
 * what is done: `reached` is the time up to which everything of the window is stored, counted from the
 * end the source starts at. LookupEvents reads newest first, so for it `reached` is the oldest time
 * read and what is left is [since, reached]; entries.list reads oldest first, so there it is the newest
 * and what is left is [reached, until]. Resuming re-reads the events at exactly `reached`, which is
 * harmless: stores keep one row per event_id.
 */
export interface BackfillCheckpoint {
  readonly version: 1;
  /** What is read, e.g. `aws:cloudtrail:us-east-1:AssumeRoleWithWebIdentity`; another source's checkpoint is refused. */
  readonly source: string;
  readonly since: string;
  readonly until: string;
  readonly reached: string | null;
  readonly complete: boolean;
  readonly updated_at: string;
}

function isCheckpoint(value: unknown): value is BackfillCheckpoint {
  const v = value as Partial<BackfillCheckpoint> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 1 &&
    typeof v.source === 'string' &&
    typeof v.since === 'string' &&
    typeof v.until === 'string' &&
    (v.reached === null || typeof v.reached === 'string') &&
    typeof v.complete === 'boolean'
  );
}

export function backfillCheckpointFile(path: string): CheckpointFile<BackfillCheckpoint> {
  return new CheckpointFile(path, isCheckpoint);
}

/** One page of a source, decoded. */
export interface BackfillPage {
  /** The input name its rejections are quarantined under. */
  readonly input: string;
  readonly items: readonly DecodedItem[];
  /** Events the page held. */
  readonly events: number;
  /** See BackfillCheckpoint.reached; null when the page was empty. */
  readonly reached: string | null;
}

/** Reads a window in time order, starting again from `reached` when it is set. */
export type PageSource = (window: BackfillWindow, reached: string | null) => AsyncIterable<BackfillPage>;

export interface BackfillProgress {
  readonly pages: number;
  readonly events: number;
  readonly rows: number;
  readonly reached: string | null;
}

export interface BackfillRequest {
  readonly source: string;
  readonly pages: PageSource;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly checkpoint: CheckpointFile<BackfillCheckpoint>;
  /** Continue the window of an unfinished checkpoint instead of starting `window` afresh. */
  readonly resume: boolean;
  readonly window: BackfillWindow;
  /** Things the user should know (a resumed window, a replaced checkpoint); one sentence each. */
  readonly notice: (text: string) => void;
  readonly onPage?: (progress: BackfillProgress) => void;
}

export interface BackfillOutcome extends BackfillProgress {
  readonly source: string;
  readonly window: BackfillWindow;
  readonly summary: IngestSummary;
  /** The whole window is stored (now or by an earlier run). */
  readonly complete: boolean;
  readonly resumed: boolean;
  /** Why the run stopped early; the checkpoint holds the last page stored. */
  readonly error?: Error;
}

interface Plan {
  readonly window: BackfillWindow;
  readonly reached: string | null;
  readonly resumed: boolean;
  readonly complete: boolean;
}

async function plan(request: BackfillRequest): Promise<Plan> {
  const { checkpoint, source, notice } = request;
  const saved = await checkpoint.read();
  if (saved && saved.source !== source) {
    throw new CheckpointError(
      `${checkpoint.path} belongs to ${saved.source}, not ${source}: name another file with --checkpoint`,
    );
  }
  const fresh: Plan = { window: request.window, reached: null, resumed: false, complete: false };
  if (!request.resume) {
    if (saved && !saved.complete) {
      notice(
        `replacing the unfinished backfill in ${checkpoint.path} (${saved.since} to ${saved.until}); --resume would have continued it`,
      );
    }
    return fresh;
  }
  if (!saved) {
    notice(`nothing to resume in ${checkpoint.path}: starting a new backfill`);
    return fresh;
  }
  const window = { since: saved.since, until: saved.until };
  if (saved.complete) {
    notice(
      `the backfill in ${checkpoint.path} (${saved.since} to ${saved.until}) is complete: nothing to resume; run without --resume for a new window`,
    );
    return { window, reached: saved.reached, resumed: true, complete: true };
  }
  notice(
    `resuming ${source} from ${checkpoint.path}: window ${saved.since} to ${saved.until}${
      saved.reached ? `, done up to ${saved.reached}` : ''
    }`,
  );
  return { window, reached: saved.reached, resumed: true, complete: false };
}

/**
 * Reads a source page by page into the store through the ingest pipeline. After each page its rows
 * are written (not just buffered) and only then the checkpoint advances, so an interruption at any
 * point loses nothing that a `--resume` would not read again.
 */
export async function runBackfill(request: BackfillRequest): Promise<BackfillOutcome> {
  const planned = await plan(request);
  const run = new IngestRun(request.store, request.clock);
  let { reached } = planned;
  let pages = 0;
  let events = 0;
  const outcome = (complete: boolean, error?: Error): BackfillOutcome => ({
    source: request.source,
    window: planned.window,
    summary: run.summary(),
    pages,
    events,
    rows: run.summary().rows,
    reached,
    complete,
    resumed: planned.resumed,
    ...(error ? { error } : {}),
  });
  if (planned.complete) return outcome(true);

  const save = (complete: boolean) =>
    request.checkpoint.write({
      version: 1,
      source: request.source,
      since: planned.window.since,
      until: planned.window.until,
      reached,
      complete,
      updated_at: request.clock.now().toISOString(),
    });

  try {
    // Saved before the first request, so even a run stopped at once can be resumed with its window.
    await save(false);
    for await (const page of request.pages(planned.window, reached)) {
      await run.consume(page.input, [page.items]);
      await run.finish();
      pages += 1;
      events += page.events;
      if (page.reached !== null) reached = page.reached;
      await save(false);
      request.onPage?.({ pages, events, rows: run.summary().rows, reached });
    }
    await save(true);
    return outcome(true);
  } catch (error) {
    return outcome(false, error instanceof Error ? error : new Error(String(error)));
  }
}
