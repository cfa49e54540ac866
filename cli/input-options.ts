import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_LIMITS, type DecodeLimits } from '../shared/sources/limits.js';
import type { CliIo } from './cli-io.js';
import { UsageError } from './cli-io.js';

/** The flags every command that reads audit inputs shares. */
export interface InputFlags {
  progress: boolean;
  maxDecompressed?: number;
}

function byteSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a size such as 512MB or 4GiB');
  const unit = (match[2] ?? '').toLowerCase().charAt(0);
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[unit] ?? 0;
  return Math.floor(Number(match[1]) * 1024 ** power);
}

/** Adds the inputs argument, --no-progress and --max-decompressed. */
export function withInputOptions(command: Command): Command {
  return command
    .argument('[inputs...]', 'files, directories (recursive) or - for standard input (the default)')
    .option('--no-progress', 'no progress line on a terminal')
    .addOption(
      new Option(
        '--max-decompressed <size>',
        'refuse a gzip input that expands past this size (default: 8GiB)',
      ).argParser(byteSize),
    );
}

export function decodeLimits(maxDecompressedBytes: number | undefined): DecodeLimits {
  return {
    ...DEFAULT_LIMITS,
    maxDecompressedBytes: maxDecompressedBytes ?? DEFAULT_LIMITS.maxDecompressedBytes,
  };
}

/** Reading a terminal would wait for typing that never comes: say what to do instead. */
export function requireInputs(names: readonly string[], io: CliIo): void {
  if (names.length === 0 && io.stdinIsTTY) {
    throw new UsageError('no input: name files or directories, or pipe data to standard input (see --help)');
  }
}
