/**
 * Runs one tokentrail command in this process and reports peak RSS as JSON. `measure-rss FILE` runs
 * `normalize FILE` with rows to /dev/null; `measure-rss --cli ARGS...` runs `tokentrail ARGS...`
 * with standard output discarded (its summary line is still read for the row count).
 */
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../cli/main.js';

const stats = { rows: 0 };
function summaryReader(): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      const summary = /"type":"summary"[^\n]*?"rows":(\d+)/.exec(String(chunk));
      if (summary) stats.rows = Number(summary[1]);
      callback();
    },
  });
}

const cli = process.argv[2] === '--cli';
const args = cli ? process.argv.slice(3) : ['normalize', '--no-progress', process.argv[2]!];
const started = process.hrtime.bigint();
const code = await main(args, {
  stdin: process.stdin,
  stdout: cli ? summaryReader() : createWriteStream('/dev/null'),
  stderr: summaryReader(),
  stdinIsTTY: false,
  stderrIsTTY: false,
  version: 'bench',
  env: {},
  now: () => new Date(),
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `${JSON.stringify({ code, rows: stats.rows, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
