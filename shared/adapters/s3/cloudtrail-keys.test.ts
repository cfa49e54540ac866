import { isLogObjectKey, keyDay, mayHoldEventsSince } from './cloudtrail-keys.js';
import { isS3Uri, parseS3Uri } from './s3-uri.js';

const ORG_KEY =
  'AWSLogs/o-1234abcde/222222222222/CloudTrail/us-east-1/2025/03/06/222222222222_CloudTrail_us-east-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz';
const ACCOUNT_KEY =
  'AWSLogs/111122223333/CloudTrail/eu-west-1/2025/11/20/111122223333_CloudTrail_eu-west-1_20251120T1005Z_x.json';

describe('CloudTrail object keys', () => {
  it('keeps log files, gzip or not, and leaves out digests, folders and other files', () => {
    expect(isLogObjectKey(ORG_KEY)).toBe(true);
    expect(isLogObjectKey(ACCOUNT_KEY)).toBe(true);
    expect(
      isLogObjectKey(
        'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/11/20/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20251120T1005Z.json.gz',
      ),
    ).toBe(false);
    expect(isLogObjectKey('AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/')).toBe(false);
    expect(isLogObjectKey('AWSLogs/111122223333/CloudTrail/us-east-1/2025/11/20/notes.txt')).toBe(false);
    expect(isLogObjectKey('AWSLogs/.hidden.json')).toBe(false);
  });

  it('reads the delivery day from the key path, with or without an organization', () => {
    expect(keyDay(ORG_KEY)).toBe('2025-03-06');
    expect(keyDay(ACCOUNT_KEY)).toBe('2025-11-20');
    expect(keyDay('exports/2025/11/20/file.json.gz')).toBeNull();
  });

  it('keeps files from the day of --since on, and undated files always', () => {
    expect(mayHoldEventsSince(ACCOUNT_KEY, '2025-11-20T23:59:00.000000Z')).toBe(true);
    expect(mayHoldEventsSince(ACCOUNT_KEY, '2025-11-21T00:00:00.000000Z')).toBe(false);
    expect(mayHoldEventsSince('exports/file.json.gz', '2030-01-01T00:00:00.000000Z')).toBe(true);
  });
});

describe('s3:// URIs', () => {
  it('splits bucket and prefix', () => {
    expect(isS3Uri('s3://org-trail/AWSLogs/')).toBe(true);
    expect(isS3Uri('./s3:/x')).toBe(false);
    expect(parseS3Uri('s3://org-trail/AWSLogs/111122223333/')).toEqual({
      bucket: 'org-trail',
      prefix: 'AWSLogs/111122223333/',
    });
    expect(parseS3Uri('s3://org-trail')).toEqual({ bucket: 'org-trail', prefix: '' });
  });

  it('says what a valid URI looks like', () => {
    expect(() => parseS3Uri('s3:///AWSLogs')).toThrow('use s3://BUCKET/PREFIX');
    expect(() => parseS3Uri('s3://Upper_Case/x')).toThrow('does not name an S3 bucket');
  });
});
