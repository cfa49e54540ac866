import { NdjsonQuarantine, NdjsonRowSink } from '../../shared/adapters/files/ndjson-output.js';
import { NormalizeRun, type NormalizeSummary } from '../../shared/pipeline/normalize.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { consumeInputs } from '../consume-inputs.js';
import { decodeLimits, requireInputs } from '../input-options.js';
import { Progress } from '../progress.js';

export interface NormalizeOptions {
  readonly raw: boolean;
  readonly progress: boolean;
  readonly maxDecompressedBytes?: number;
}

function summaryLine(summary: NormalizeSummary, totals: ReturnType<Progress['totals']>): string {
  const { rows, duplicates, skipped, rejected, rejectedBy, skippedBy } = summary;
  return `${JSON.stringify({
    type: 'summary',
    rows,
    duplicates,
    skipped,
    rejected,
    files: totals.files,
    bytes: totals.bytes,
    seconds: Number(totals.seconds.toFixed(3)),
    rejected_by: rejectedBy,
    skipped_by: skippedBy,
  })}\n`;
}

/**
 * `tokentrail normalize [FILE|DIR|-]...`: rows as NDJSON on stdout; rejections, errors and a
 * summary as NDJSON on stderr. Exit 0 when nothing was rejected, 3 when some records were,
 * 1 on usage or I/O errors (the other inputs are still processed).
 */
export async function normalizeCommand(
  names: readonly string[],
  options: NormalizeOptions,
  io: CliIo,
): Promise<number> {
  requireInputs(names, io);
  const limits = decodeLimits(options.maxDecompressedBytes);
  const run = new NormalizeRun(
    new NdjsonRowSink(io.stdout, options.raw),
    new NdjsonQuarantine(io.stderr, options.raw),
  );
  const progress = new Progress(io.stderr, options.progress && io.stderrIsTTY, () => run.summary().rows);
  const { failed, brokenPipe } = await consumeInputs(names, run, limits, progress, io);
  if (brokenPipe) return EXIT.ok; // the reader went away (`| head`): not an error

  progress.finish();
  const summary = run.summary();
  io.stderr.write(summaryLine(summary, progress.totals()));
  if (failed) return EXIT.failure;
  return summary.rejected > 0 ? EXIT.rejected : EXIT.ok;
}
