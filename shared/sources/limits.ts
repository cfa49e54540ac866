/** Caps that keep a hostile or broken input from exhausting memory. */
export interface DecodeLimits {
  /** Total bytes one gzip stream (a file, an S3 object) may expand to. */
  readonly maxDecompressedBytes: number;
  /** Bytes one in-memory payload may expand to (a CloudWatch Logs batch, a Pub/Sub message). */
  readonly maxPayloadBytes: number;
  /** Largest single JSON value held in memory while streaming. */
  readonly maxValueBytes: number;
  /**
   * How many times its compressed size a gzip stream may expand to, checked once it has expanded
   * past `maxValueBytes` (default 200: real CloudTrail files measure 5-31, a gzip bomb ~1000;
   * see docs/decisions/0001-gzip-bomb-caps.md).
   */
  readonly maxGzipRatio?: number;
  /**
   * Whether a CloudTrail file's record whose bytes prove that no normalizer takes it is counted as
   * skipped without being parsed (default true; see shared/sources/prefilter.ts). Turned off only
   * to compare with the full path (tests, benchmarks): the results are the same.
   */
  readonly prefilter?: boolean;
}

export const DEFAULT_LIMITS: DecodeLimits = {
  maxDecompressedBytes: 8 * 1024 ** 3,
  maxPayloadBytes: 64 * 1024 ** 2,
  maxValueBytes: 64 * 1024 ** 2,
  maxGzipRatio: 200,
};
