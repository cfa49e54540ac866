import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli-harness.js';
import { assumeRoleWithWebIdentityRecord as arwwi } from '../helpers/envelopes.js';

const directory = mkdtempSync(join(tmpdir(), 'tokentrail-cli-'));
function file(name: string, content: string | Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

describe('tokentrail normalize', () => {
  it('prints rows on stdout, rejections and a summary on stderr, and exits 3 when it rejected', async () => {
    const trail = file(
      'trail.json.gz',
      gzipSync(
        JSON.stringify({ Records: [arwwi('e-1'), { ...arwwi('e-2'), eventTime: 'later' }, arwwi('e-1')] }),
      ),
    );
    const result = await runCli(['normalize', trail]);

    expect(result.code).toBe(3);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ event_id: 'e-1', subject: 'repo:acme/api:ref:refs/heads/main' });
    expect(result.rows[0]).not.toHaveProperty('raw');
    const [reject, summary] = result.stderrLines;
    expect(reject).toEqual({
      type: 'reject',
      file: trail,
      value: 0,
      path: '/Records/1',
      offset: expect.any(Number),
      delivery: 'cloudtrail-file',
      code: 'invalid_timestamp',
      message: 'eventTime is not a timestamp: later',
      bytes: Buffer.byteLength(JSON.stringify({ ...arwwi('e-2'), eventTime: 'later' })),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(summary).toMatchObject({ type: 'summary', rows: 1, duplicates: 1, rejected: 1, files: 1 });
  });

  it('exits 0 when nothing was rejected, and counts an event met through two envelopes once', async () => {
    const record = arwwi('e-3');
    const viaEventBridge = file(
      'eventbridge.json',
      JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.sts', detail: record }),
    );
    const viaFile = file('trail.json', JSON.stringify({ Records: [record] }));
    const result = await runCli(['normalize', viaEventBridge, viaFile]);
    expect(result.code).toBe(0);
    expect(result.rows).toHaveLength(1);
    expect(result.stderrLines).toEqual([
      expect.objectContaining({ type: 'summary', rows: 1, duplicates: 1, files: 2 }),
    ]);
  });

  it('includes the original record with --raw', async () => {
    const result = await runCli(['normalize', '--raw', file('one.json', JSON.stringify(arwwi('e-4')))]);
    expect(result.rows[0]?.raw).toEqual(arwwi('e-4'));
  });

  it('reads standard input when given - or nothing', async () => {
    const ndjson = `${JSON.stringify(arwwi('e-5'))}\n${JSON.stringify(arwwi('e-6'))}\n`;
    expect((await runCli(['normalize', '-'], { stdin: ndjson })).rows).toHaveLength(2);
    expect((await runCli(['normalize'], { stdin: ndjson })).rows).toHaveLength(2);
  });

  it('walks directories', async () => {
    const result = await runCli(['normalize', directory]);
    expect(result.rows.length).toBeGreaterThanOrEqual(3);
  });

  it('says a named input that does not exist plainly, reads nothing, and exits 1', async () => {
    const good = file('good.json', JSON.stringify(arwwi('e-7')));
    const result = await runCli(['normalize', join(directory, 'missing.json'), good]);
    expect(result.code).toBe(1);
    expect(result.rows).toHaveLength(0);
    expect(result.stderr).toBe(`tokentrail: no such file: ${join(directory, 'missing.json')}\n`);
  });

  it('refuses to wait on a terminal with no input', async () => {
    const result = await runCli(['normalize'], { stdinIsTTY: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no input/);
  });
});

describe('tokentrail', () => {
  it('prints help and exits 0 with --help, 1 with no command', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/normalize/);
    expect((await runCli([])).code).toBe(1);
  });

  it('exits 1 on an unknown option or command, saying so', async () => {
    const result = await runCli(['normalize', '--frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown option '--frobnicate'/);
    expect((await runCli(['explode'])).code).toBe(1);
  });

  it('prints its version', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toBe('0.0.0-test');
  });
});
