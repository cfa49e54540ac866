import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killRunningProcesses, runProcess } from '../helpers/run-process.js';

/**
 * The README's sample outputs are what their commands print (issue 17). scripts/readme-samples.mjs
 * runs each marked command through the installed command (bin/tokentrail.js against dist/) and
 * reports what it printed; each block is compared here by name. `npm run readme:samples` rewrites
 * the blocks when a change to the output is meant. Each script run is killed after two minutes.
 */
const root = resolve(__dirname, '../..');
const script = resolve(root, 'scripts/readme-samples.mjs');
const built = existsSync(resolve(root, 'dist/cli/main.js'));
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

interface Sample {
  readonly command: string;
  readonly line: number;
  readonly shown: string;
  readonly printed: string;
}

/** The markers, as the script finds them: `<!-- sample: COMMAND -->`, a fenced block, `<!-- /sample -->`. */
const markers = [...readme.matchAll(/^<!-- sample: (.+?) -->$/gm)].map((match) => match[1]!);

const samplesScript = (args: string[]) =>
  runProcess(process.execPath, [script, ...args], { cwd: root, timeoutMs: 120_000 });

afterAll(killRunningProcesses);

(built ? describe : describe.skip)('README samples', () => {
  let samples: Sample[] = [];

  beforeAll(async () => {
    const run = await samplesScript(['--check', '--json']);
    expect(run.stderr).toBe('');
    samples = JSON.parse(run.stdout) as Sample[];
  }, 180_000);

  it('has samples, each a closed block the script reads', () => {
    expect(markers.length).toBeGreaterThanOrEqual(2);
    expect(samples.map((sample) => sample.command)).toEqual(markers);
  });

  it.each(markers)('README.md: the sample of `%s` is what it prints', (command) => {
    const sample = samples.find((each) => each.command === command);
    const block = `README.md:${sample?.line} ${command}`;
    expect({ block, output: sample?.shown }).toEqual({ block, output: sample?.printed });
  });

  describe('the script on a copy whose sample drifted', () => {
    let dir: string;
    let copy: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tokentrail-readme-samples-'));
      copy = join(dir, 'README.md');
      const first = markers[0]!;
      const drifted = readme.replace(`<!-- sample: ${first} -->\n\`\`\`\n`, `$&{"stale":true}\n`);
      expect(drifted).not.toBe(readme);
      writeFileSync(copy, drifted);
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names the block with --check and exits 1, then rewrites it to what the command prints', async () => {
      const check = await samplesScript(['--check', '--readme', copy]);
      expect(check.code).toBe(1);
      expect(check.stderr).toContain(`the sample of \`${markers[0]}\` differs from what it prints`);
      expect(check.stderr).not.toContain(markers[1]);

      const rewrite = await samplesScript(['--readme', copy]);
      expect(rewrite.code).toBe(0);
      expect(readFileSync(copy, 'utf8')).toBe(readme);
    }, 300_000);
  });
});
