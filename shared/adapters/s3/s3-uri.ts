export interface S3Location {
  readonly bucket: string;
  /** Possibly empty: the whole bucket. */
  readonly prefix: string;
}

export class S3UriError extends Error {
  override readonly name = 'S3UriError';
}

export function isS3Uri(name: string): boolean {
  return name.startsWith('s3://');
}

// Bucket naming rules (lowercase letters, digits, dots, hyphens; 3-63 characters).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Reads `s3://BUCKET[/PREFIX]`. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(uri);
  const bucket = match?.[1] ?? '';
  if (!BUCKET.test(bucket)) {
    throw new S3UriError(
      `'${uri}' does not name an S3 bucket: use s3://BUCKET/PREFIX, e.g. s3://org-trail/AWSLogs/`,
    );
  }
  return { bucket, prefix: match?.[2] ?? '' };
}
