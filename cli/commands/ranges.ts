import { DEFAULT_RANGES_DIRECTORY } from '../../shared/adapters/ranges/range-files.js';
import { type RangeUpdateResult, updateRanges } from '../../shared/adapters/ranges/update-ranges.js';
import { inertJson, terminalSafe } from '../../shared/core/render/terminal-safe.js';
import { type CliIo, EXIT } from '../cli-io.js';
import { settingsOf } from '../cli-settings.js';

export interface RangesUpdateFlags {
  readonly dir?: string;
  readonly json?: boolean;
}

function line(result: RangeUpdateResult): string {
  if (!result.ok) {
    const kept = result.kept ? 'kept the previous file' : 'no file';
    return `${result.kind}\t${result.file}\tFAILED (${kept}): ${terminalSafe(result.error)}`;
  }
  const prefixes = Object.entries(result.prefixes)
    .map(([provider, count]) => `${count} ${provider} prefixes`)
    .join(', ');
  const published = Object.entries(result.published)
    .map(([key, value]) => `${key} ${terminalSafe(value)}`)
    .join(', ');
  return [result.kind, result.file, prefixes, published || 'no edition stamp'].join('\t');
}

/** Fetches the three lists into the ranges directory; 0 when every list was written, else 1. */
export async function rangesUpdateCommand(flags: RangesUpdateFlags, io: CliIo): Promise<number> {
  const { endpoints } = settingsOf(io);
  const results = await updateRanges({
    directory: flags.dir ?? DEFAULT_RANGES_DIRECTORY,
    ...(endpoints.ranges ? { endpoint: endpoints.ranges } : {}),
    onProgress: (text) => io.stderr.write(`${terminalSafe(text)}\n`),
  });
  for (const result of results) {
    io.stdout.write(`${flags.json ? inertJson({ type: 'ranges', ...result }) : line(result)}\n`);
  }
  return results.every((result) => result.ok) ? EXIT.ok : EXIT.failure;
}
