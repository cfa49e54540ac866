/** Caps that keep a hostile or broken input from exhausting memory. */
export interface DecodeLimits {
  /** Total bytes one gzip stream (a file, an S3 object) may expand to. */
  readonly maxDecompressedBytes: number;
  /** Bytes one in-memory payload may expand to (a CloudWatch Logs batch, a Pub/Sub message). */
  readonly maxPayloadBytes: number;
  /** Largest single JSON value held in memory while streaming. */
  readonly maxValueBytes: number;
}

export const DEFAULT_LIMITS: DecodeLimits = {
  maxDecompressedBytes: 8 * 1024 ** 3,
  maxPayloadBytes: 64 * 1024 ** 2,
  maxValueBytes: 64 * 1024 ** 2,
};
