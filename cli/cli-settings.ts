import { readSettings, type Settings } from '../shared/adapters/config/settings.js';
import type { CliIo } from './cli-io.js';

const read = new WeakMap<Pick<CliIo, 'env'>, Settings>();

/**
 * The CLI's settings, read from its environment the first time a command needs them (so `--help`
 * and `--version` work whatever the environment holds) and kept for the rest of the run.
 */
export function settingsOf(io: Pick<CliIo, 'env'>): Settings {
  let settings = read.get(io);
  if (settings === undefined) {
    settings = readSettings(io.env);
    read.set(io, settings);
  }
  return settings;
}
