import { Command } from 'commander';

type CommanderInternals = {
  _outputHelpIfRequested(this: Command, args: string[]): void;
  unknownOption(this: Command, flag: string): never;
};

const internals = Command.prototype as unknown as CommanderInternals;

/**
 * A commander command that reports an unknown option before anything else it finds wrong.
 * Commander checks required and conflicting options first, so `query who-accessed --buckt x` said
 * `--bucket` was missing instead of naming the misspelt option. Subcommands are made the same way.
 */
export class CliCommand extends Command {
  override createCommand(name?: string): Command {
    return new CliCommand(name);
  }

  /**
   * Commander 14 (Command#_parseCommand) calls this with the arguments no option took, right
   * before its required and conflicting option checks; it is not public API, so
   * cli-command.test.ts pins the order. Only a command without subcommands judges them: on a
   * parent, an unknown subcommand is the better error.
   */
  _outputHelpIfRequested(args: string[]): void {
    internals._outputHelpIfRequested.call(this, args);
    const [first] = args;
    if (this.commands.length === 0 && first?.startsWith('-')) internals.unknownOption.call(this, first);
  }
}

/** Commander's `error: X\n(Did you mean Y?)\n` as the CLI's one line: `tokentrail: X (did you mean Y?)`. */
export function oneLineError(text: string): string {
  const line = text
    .trimEnd()
    .replace(/^error: /, '')
    .replace(/\s*\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ');
  return `tokentrail: ${line}\n`;
}
