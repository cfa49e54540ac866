import { Command } from 'commander';
import {
  DATA_ACCESS_RETENTION_DAYS,
  ENTRIES_LIST_PER_SECOND,
} from '../shared/adapters/backfill/cloud-logging-entries.js';
import {
  LOOKUP_EVENTS_PER_SECOND,
  LOOKUP_RETENTION_DAYS,
} from '../shared/adapters/backfill/cloudtrail-lookup.js';
import type { CliIo } from './cli-io.js';
import { registerBackfillCommand } from './cloud-commands.js';

// The help is written without importing the adapters (start-up stays light), so its figures are
// checked against the adapters' own constants here.
function helpOf(...path: string[]): string {
  const program = new Command('tokentrail');
  registerBackfillCommand(program, { io: {} as CliIo, setExit: () => {} });
  let command = program;
  for (const name of path) {
    const next = command.commands.find((candidate) => candidate.name() === name);
    if (!next) throw new Error(`no command ${name}`);
    command = next;
  }
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

describe('backfill help', () => {
  it("states CloudTrail LookupEvents' rate and retention as the adapter paces them", () => {
    const help = helpOf('backfill', 'aws');
    expect(help).toContain(`at most ${LOOKUP_EVENTS_PER_SECOND} requests a second per region`);
    expect(help).toContain(`the last ${LOOKUP_RETENTION_DAYS} days of management events`);
  });

  it("states Cloud Logging entries.list's rate and Data Access retention as the adapter paces them", () => {
    const help = helpOf('backfill', 'gcp');
    expect(help).toContain(`at most ${ENTRIES_LIST_PER_SECOND} request a second`);
    expect(help).toContain(`stay ${DATA_ACCESS_RETENTION_DAYS} days in the _Default bucket`);
  });
});
