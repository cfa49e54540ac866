import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_RANGES } from '../../core/network/index.js';
import { deployedIpRanges } from './deployed-ranges.js';
import { loadIpRanges, RANGE_FILES, RangeFileError, readRangeDocuments } from './range-files.js';
import { rangeUrls } from './update-ranges.js';

const AWS = JSON.stringify({
  syncToken: '1764930000',
  createDate: '2026-12-05-10-20-00',
  prefixes: [{ ip_prefix: '198.51.100.0/24', region: 'us-east-1', service: 'EC2' }],
  ipv6_prefixes: [],
});
const GITHUB = JSON.stringify({ actions: ['203.0.113.0/24'] });

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tokentrail-ranges-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('ranges directory', () => {
  it('reads whichever lists are there into one lookup', async () => {
    writeFileSync(join(root, RANGE_FILES.aws), AWS);
    writeFileSync(join(root, RANGE_FILES.github), GITHUB);
    const ranges = await loadIpRanges(root);
    expect(ranges.match('198.51.100.9')).toEqual({ provider: 'aws', region: 'us-east-1', service: 'EC2' });
    expect(ranges.match('203.0.113.9')?.provider).toBe('github-actions');
    expect((await readRangeDocuments(root)).map((document) => document.kind)).toEqual(['aws', 'github']);
  });

  it('is no ranges when the directory or its files are missing', async () => {
    expect(await loadIpRanges(join(root, 'absent'))).toBe(NO_RANGES);
    expect(await loadIpRanges(root)).toBe(NO_RANGES);
  });

  it('names a malformed file', async () => {
    writeFileSync(join(root, RANGE_FILES.gcp), '{"prefixes": "none"}');
    await expect(loadIpRanges(root)).rejects.toThrow(RangeFileError);
    await expect(loadIpRanges(root)).rejects.toThrow(
      `${join(root, RANGE_FILES.gcp)}: Google Cloud cloud.json: "prefixes" is not an array (run tokentrail ranges update)`,
    );
  });

  it('deployedIpRanges reads once, and again after a failure', async () => {
    const directory = join(root, 'deployed');
    mkdirSync(directory);
    writeFileSync(join(directory, RANGE_FILES.aws), 'not json');
    await expect(deployedIpRanges(directory)).rejects.toThrow('AWS ip-ranges.json: not JSON');
    writeFileSync(join(directory, RANGE_FILES.aws), AWS);
    const first = await deployedIpRanges(directory);
    expect(first.match('198.51.100.1')?.provider).toBe('aws');
    rmSync(join(directory, RANGE_FILES.aws));
    expect(await deployedIpRanges(directory)).toBe(first);
    expect(await deployedIpRanges(join(root, 'never-written'))).toBe(NO_RANGES);
  });

  it("puts each list's path under an override root", () => {
    expect(rangeUrls()).toEqual({
      aws: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
      gcp: 'https://www.gstatic.com/ipranges/cloud.json',
      github: 'https://api.github.com/meta',
    });
    expect(rangeUrls('http://127.0.0.1:8080/')).toEqual({
      aws: 'http://127.0.0.1:8080/ip-ranges.json',
      gcp: 'http://127.0.0.1:8080/ipranges/cloud.json',
      github: 'http://127.0.0.1:8080/meta',
    });
  });
});
