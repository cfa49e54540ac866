import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { killRunningProcesses, runProcess, startProcess } from '../helpers/run-process.js';

/**
 * `kill -9` in the middle of an ingest loses nothing and doubles nothing: the killed process has
 * read one file and is blocked inside a second one (a FIFO we hold open, so the moment is exact,
 * not timed); running the same ingest again leaves every record once in the DuckDB file.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const built = existsSync(resolve(root, 'dist/cli/main.js'));
const RECORDS_PER_FILE = 2_000;

type Record = { [key: string]: unknown };
const template = (): Record => {
  const file = readFileSync(
    join(root, 'examples', 'aws', '111122223333_CloudTrail_us-east-1_20251120T1005Z_example.json.gz'),
  );
  const { Records } = JSON.parse(gunzipSync(file).toString('utf8')) as { Records: Record[] };
  return Records.find((record) => record.eventName === 'AssumeRoleWithWebIdentity')!;
};

function trailFile(path: string, first: number): void {
  const record = template();
  const records = Array.from({ length: RECORDS_PER_FILE }, (_, i) => ({
    ...record,
    eventID: `9e9e9e9e-${String(first + i).padStart(8, '0')}-4000-8000-000000000000`,
  }));
  writeFileSync(path, JSON.stringify({ Records: records }));
}

const tokentrail = (args: string[]) => runProcess(process.execPath, [bin, ...args], { timeoutMs: 60_000 });

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-kill-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));
afterAll(killRunningProcesses);

(built ? describe : describe.skip)('kill -9 in the middle of an ingest', () => {
  it('loses nothing and doubles nothing when the same ingest runs again', async () => {
    const store = join(directory, 'store.duckdb');
    const first = join(directory, 'first.json');
    const second = join(directory, 'second.json');
    const fifo = join(directory, 'second-arriving');
    trailFile(first, 0);
    trailFile(second, RECORDS_PER_FILE);
    execFileSync('mkfifo', [fifo]);

    const { child, exited } = startProcess(
      process.execPath,
      [bin, 'ingest', '--store', store, '--no-progress', first, fifo],
      { timeoutMs: 60_000 },
    );
    // Opening a FIFO's write end completes when the ingest opens it: the first file is behind it.
    const writer = createWriteStream(fifo);
    await new Promise<void>((opened, failed) => {
      writer.once('open', () => opened());
      writer.once('error', failed);
    });
    const half = readFileSync(second, 'utf8');
    await new Promise<void>((written) => writer.write(half.slice(0, half.length / 2), () => written()));
    process.kill(-child.pid!, 'SIGKILL');
    const killed = await exited;
    writer.destroy();
    expect(killed.signal).toBe('SIGKILL');
    // The store the killed process left opens, holding at most the first file.
    const left = await tokentrail([
      'query',
      'sql',
      'SELECT count(*) AS events FROM events',
      '--store',
      store,
      '--json',
    ]);
    expect(left.code).toBe(0);
    expect(JSON.parse(left.stdout).events).toBeLessThanOrEqual(RECORDS_PER_FILE);

    const again = await tokentrail(['ingest', '--store', store, '--no-progress', '--json', first, second]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const counts = await tokentrail([
      'query',
      'sql',
      'SELECT count(*) AS events, count(DISTINCT event_id) AS distinct_events, (SELECT count(*) FROM quarantine) AS quarantined FROM events',
      '--store',
      store,
      '--json',
    ]);
    expect(JSON.parse(counts.stdout)).toEqual({
      events: 2 * RECORDS_PER_FILE,
      distinct_events: 2 * RECORDS_PER_FILE,
      quarantined: 0,
    });
  }, 180_000);
});
