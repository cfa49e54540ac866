/** Runs `tokentrail normalize FILE` in this process with rows to /dev/null and reports peak RSS as JSON. */
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../cli/main.js';

const stats = { rows: 0 };
const stderr = new Writable({
  write(chunk, _encoding, callback) {
    const text = String(chunk);
    const summary = /"type":"summary","rows":(\d+)/.exec(text);
    if (summary) stats.rows = Number(summary[1]);
    callback();
  },
});

const started = process.hrtime.bigint();
const code = await main(['normalize', '--no-progress', process.argv[2]!], {
  stdin: process.stdin,
  stdout: createWriteStream('/dev/null'),
  stderr,
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
