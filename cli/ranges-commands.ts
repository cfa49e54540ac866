import type { Command } from 'commander';
import type { CommandContext } from './store-commands.js';

// The command's implementation (and the range parsers) load only when it runs.

const UPDATE_HELP = `
Fetches the IP ranges the credential-use rules compare networks with, and writes each list that
parses into the directory (default .tokentrail/ranges):
  aws-ip-ranges.json  https://ip-ranges.amazonaws.com/ip-ranges.json (prefixes and ipv6_prefixes)
  gcp-cloud.json      https://www.gstatic.com/ipranges/cloud.json (Google Cloud, by scope)
  github-meta.json    https://api.github.com/meta (actions: GitHub-hosted runners)
Each file is replaced whole (a temporary file, then a rename). A list that fails to download or
does not parse leaves its previous file as it was. No credentials are needed or sent.
TOKENTRAIL_RANGES_ENDPOINT fetches the three from one other root, each keeping its path (a stand-in).

Deployments ship what this last wrote to .tokentrail/ranges: 'npx serverless package' and
'npm run build:gcp' include those files, and the functions read them on first use. Run it before
each deploy; without the files the functions compare addresses by /24 and /48 only.

Output: progress on stderr; on stdout one line per list (its file, prefixes per provider and the
edition its publisher stamped: syncToken and createDate, or syncToken and creationTime), or with
--json one object per list.
Exit status: 0 every list written, 1 some list failed (the others are written).

Examples:
  $ tokentrail ranges update
  $ tokentrail ranges update --dir /srv/tokentrail/ranges --json`;

/** `ranges update`: the published IP ranges of AWS, Google Cloud and GitHub Actions, into a directory. */
export function registerRangesCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('ranges')
    .description(
      'the published IP ranges of AWS, Google Cloud and GitHub Actions that "network" is judged by',
    )
    .command('update')
    .description(
      'download the current lists into the ranges directory (each checked before it replaces the last)',
    )
    .option('--dir <directory>', 'where the lists are written (default: .tokentrail/ranges)')
    .option('--json', 'one JSON object per list instead of a line', false)
    .addHelpText('after', UPDATE_HELP)
    .action(async (flags: { dir?: string; json: boolean }) => {
      const { rangesUpdateCommand } = await import('./commands/ranges.js');
      setExit(await rangesUpdateCommand(flags, io));
    });
}
