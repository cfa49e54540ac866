import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGcpFunctions } from '../../functions/gcp/build.js';
import { DEFAULT_RANGES_DIRECTORY, loadIpRanges } from '../../shared/adapters/ranges/range-files.js';

/**
 * The Cloud Functions upload carries the published IP ranges `tokentrail ranges update` wrote, at
 * the path deployedIpRanges reads under the source root, checked first; without them it builds
 * and ships none.
 */
const ROOT = join(__dirname, '../..');
const AWS = JSON.stringify({
  syncToken: '1764930000',
  createDate: '2026-12-05-10-20-00',
  prefixes: [{ ip_prefix: '198.51.100.0/24', region: 'us-east-1', service: 'EC2' }],
  ipv6_prefixes: [],
});
const GITHUB = JSON.stringify({ actions: ['192.0.2.0/24'] });

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tokentrail-gcp-ranges-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('the Cloud Functions upload and the published ranges', () => {
  it('ships the lists found, as written, where the functions read them', async () => {
    const ranges = join(directory, 'ranges');
    mkdirSync(ranges);
    writeFileSync(join(ranges, 'aws-ip-ranges.json'), AWS);
    writeFileSync(join(ranges, 'github-meta.json'), GITHUB);
    const outdir = join(directory, 'out');
    const build = await buildGcpFunctions({ root: ROOT, outdir, ranges });
    expect(build.files).toEqual(
      expect.arrayContaining([
        `${DEFAULT_RANGES_DIRECTORY}/aws-ip-ranges.json`,
        `${DEFAULT_RANGES_DIRECTORY}/github-meta.json`,
      ]),
    );
    expect(build.files.filter((file) => file.includes('gcp-cloud'))).toEqual([]);
    expect(readFileSync(join(outdir, DEFAULT_RANGES_DIRECTORY, 'aws-ip-ranges.json'), 'utf8')).toBe(AWS);
    const shipped = await loadIpRanges(join(outdir, DEFAULT_RANGES_DIRECTORY));
    expect(shipped.match('198.51.100.4')?.provider).toBe('aws');
    expect(shipped.match('192.0.2.4')?.provider).toBe('github-actions');
  }, 60_000);

  it('builds without them, shipping none', async () => {
    const outdir = join(directory, 'out');
    const build = await buildGcpFunctions({ root: ROOT, outdir, ranges: join(directory, 'never-updated') });
    expect(build.files.filter((file) => file.startsWith(DEFAULT_RANGES_DIRECTORY))).toEqual([]);
    expect(existsSync(join(outdir, DEFAULT_RANGES_DIRECTORY))).toBe(false);
  }, 60_000);

  it('is not built with a malformed list, which it names', async () => {
    const ranges = join(directory, 'ranges');
    mkdirSync(ranges);
    writeFileSync(join(ranges, 'gcp-cloud.json'), '<html>');
    const outdir = join(directory, 'out');
    await expect(buildGcpFunctions({ root: ROOT, outdir, ranges })).rejects.toThrow(
      `${join(ranges, 'gcp-cloud.json')}: Google Cloud cloud.json: not JSON (run tokentrail ranges update)`,
    );
    expect(existsSync(outdir)).toBe(false);
  });
});
