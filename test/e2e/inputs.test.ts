import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { assumeRoleWithWebIdentityRecord as arwwi } from '../helpers/envelopes.js';
import { killRunningProcesses, runProcess } from '../helpers/run-process.js';

/**
 * Issue 17, a new user's first hour, through the installed command: a folder of mixed files gives
 * one rejection for each file that is not JSON (and per broken line of an NDJSON file), for
 * normalize and for ingest's quarantine; a path that does not exist is said plainly, and ingest
 * then creates no store. Each run is killed after a minute.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));

const tokentrail = (args: string[], cwd: string, input?: string) =>
  runProcess(process.execPath, [bin, ...args], { cwd, timeoutMs: 60_000, ...(input ? { input } : {}) });

afterAll(killRunningProcesses);

const README = Buffer.from(
  `# tokentrail\n\n${Array.from({ length: 575 }, (_, i) => `line ${i} of the notes, {"with": "braces"} too`).join('\n')}\n`,
);
/** Ten lines of bytes that are not UTF-8, as a small executable would be. */
const BINARY = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
  ...Array.from({ length: 10 }, (_, i) => Buffer.from([0xff, 0xfe, i, 0x80, 0x0a])),
]);
const NOTES = Buffer.from('plain notes, gzipped\nsecond line\nthird line\n');

const FILES: Record<string, Buffer> = {
  'README.md': README,
  'tool.bin': BINARY,
  'trail.json': Buffer.from(JSON.stringify({ Records: [arwwi('e2e-trail-1')] })),
  'bom.json': Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(JSON.stringify(arwwi('e2e-bom-1'))),
  ]),
  'events.ndjson': Buffer.from(
    `${JSON.stringify(arwwi('e2e-nd-1'))}\n{"eventVersion": "1.08", "eventName": , "eventID": "e2e-nd-bad"}\n${JSON.stringify(arwwi('e2e-nd-2'))}\n`,
  ),
  'notes.txt.gz': gzipSync(NOTES),
};

/** The file a rejection or a quarantined record names, relative to the folder. */
const fileName = (path: unknown) => String(path).split(/[\\/]/).pop();

function lines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function countBy(items: readonly Record<string, unknown>[], key: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = fileName(item[key]) ?? '';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

const ONE_PER_FILE = { 'README.md': 1, 'tool.bin': 1, 'events.ndjson': 1, 'notes.txt.gz': 1 };

(built ? describe : describe.skip)('tokentrail over a folder of mixed inputs (issue 17)', () => {
  let cwd: string;
  let inputs: string;

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'tokentrail-inputs-'));
    inputs = join(cwd, 'inputs');
    mkdirSync(inputs);
    for (const [name, bytes] of Object.entries(FILES)) writeFileSync(join(inputs, name), bytes);
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('normalize: one rejection per file that is not JSON, one per broken NDJSON line, the records as rows', async () => {
    const run = await tokentrail(['normalize', 'inputs'], cwd);
    expect(run.code).toBe(3);
    const rows = lines(run.stdout);
    expect(rows.map((row) => row.event_id).sort()).toEqual([
      'e2e-bom-1',
      'e2e-nd-1',
      'e2e-nd-2',
      'e2e-trail-1',
    ]);
    const stderr = lines(run.stderr);
    const rejects = stderr.filter((line) => line.type === 'reject');
    expect(countBy(rejects, 'file')).toEqual(ONE_PER_FILE);
    const byFile = Object.fromEntries(rejects.map((reject) => [fileName(reject.file), reject]));
    expect(byFile['README.md']).toMatchObject({
      code: 'invalid_json',
      offset: 0,
      message: expect.stringMatching(/^not JSON: starts with '# tokentrail'/),
      bytes: README.length,
    });
    expect(byFile['tool.bin']).toMatchObject({ code: 'invalid_encoding', offset: 0, bytes: BINARY.length });
    expect(byFile['notes.txt.gz']).toMatchObject({
      code: 'invalid_json',
      message: expect.stringMatching(/^not JSON: starts with 'plain notes, gzipped'/),
      bytes: NOTES.length,
    });
    expect(byFile['events.ndjson']).toMatchObject({ code: 'invalid_json', value: 1 });
    expect(stderr.at(-1)).toMatchObject({ type: 'summary', rows: 4, rejected: 4, files: 6 });
  }, 90_000);

  it('ingest: the same four rejections quarantined, each file that is not JSON given back whole', async () => {
    const store = join(cwd, 'mixed.duckdb');
    const run = await tokentrail(['ingest', 'inputs', '--store', store, '--json'], cwd);
    expect(run.code).toBe(3);
    expect(lines(run.stdout).at(-1)).toMatchObject({ type: 'summary', rows: 4, quarantined: 4 });

    const list = await tokentrail(['quarantine', 'list', '--json', '--store', store], cwd);
    expect(list.code).toBe(0);
    const quarantined = lines(list.stdout);
    expect(countBy(quarantined, 'input')).toEqual(ONE_PER_FILE);

    // Re-read from the input at offset 0 and checked against the stored length and SHA-256: the whole file.
    for (const [name, content] of [
      ['README.md', README],
      ['tool.bin', BINARY],
      ['notes.txt.gz', NOTES],
    ] as const) {
      const id = String(quarantined.find((row) => fileName(row.input) === name)?.quarantine_id);
      const shown = await tokentrail(['quarantine', 'show', id, '--store', store], cwd);
      expect(shown.code).toBe(0);
      expect(lines(shown.stdout)[0]?.reread).toMatchObject({
        status: 'match',
        offset: 0,
        bytes: content.length,
      });
    }
    const readmeId = quarantined.find((row) => fileName(row.input) === 'README.md')?.quarantine_id;
    const bytes = await tokentrail(
      ['quarantine', 'show', String(readmeId), '--bytes', '--store', store],
      cwd,
    );
    expect(bytes.stdout).toBe(README.toString());
  }, 150_000);

  it('says a path that does not exist plainly, and ingest creates no store', async () => {
    const normalize = await tokentrail(['normalize', 'nope.json'], cwd);
    expect(normalize).toMatchObject({ code: 1, stdout: '', stderr: 'tokentrail: no such file: nope.json\n' });

    const ingest = await tokentrail(['ingest', 'nope.json', '--store', 'new.duckdb'], cwd);
    expect(ingest).toMatchObject({ code: 1, stdout: '', stderr: 'tokentrail: no such file: nope.json\n' });
    const mixed = await tokentrail(['ingest', 'inputs/trail.json', 'gone/', '--store', 'new.duckdb'], cwd);
    expect(mixed).toMatchObject({ code: 1, stderr: 'tokentrail: no such file: gone/\n' });
    expect(readdirSync(cwd).filter((name) => name.startsWith('new.duckdb'))).toEqual([]);
  }, 150_000);

  it('still reads standard input when no input is named', async () => {
    const run = await tokentrail(['normalize'], cwd, `${JSON.stringify(arwwi('e2e-stdin-1'))}\n`);
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toMatchObject([{ event_id: 'e2e-stdin-1' }]);
  }, 90_000);
});
