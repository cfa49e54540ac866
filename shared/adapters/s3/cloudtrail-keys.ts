/**
 * CloudTrail's S3 layout: AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
 * ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz, with digest files under CloudTrail-Digest/.
 */
const LOG_FILE = /\.json(\.gz)?$/;
const DIGEST = /(^|\/)CloudTrail-Digest\//;
const DOT_FILE = /(^|\/)\.[^/]*$/;
const DATED = /(?:^|\/)CloudTrail\/[^/]+\/(\d{4})\/(\d{2})\/(\d{2})\//;

/** Event files only: digests (hashes, not events), folders and anything not .json or .json.gz are left out. */
export function isLogObjectKey(key: string): boolean {
  return LOG_FILE.test(key) && !DIGEST.test(key) && !DOT_FILE.test(key);
}

/** The delivery day in the key path (`2025-11-20`), or null for keys outside the CloudTrail layout. */
export function keyDay(key: string): string | null {
  const match = DATED.exec(key);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/**
 * Whether a key may hold events at or after `since` (a canonical timestamp). Files are filed by
 * delivery time, which is after the event time, so a file dated the day of `since` or later may
 * hold events from then on; earlier days are left out. Keys without a date are always kept.
 */
export function mayHoldEventsSince(key: string, since: string): boolean {
  const day = keyDay(key);
  return day === null || day >= since.slice(0, 10);
}
