import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { CheckpointFile, checkpointPath } from '../backfill/checkpoint-file.js';
import type { AwsCredentials } from '../backfill/cloudtrail-lookup.js';
import type { Input } from '../files/input-files.js';
import { isLogObjectKey, mayHoldEventsSince } from './cloudtrail-keys.js';
import { parseS3Uri } from './s3-uri.js';

export interface S3InputOptions {
  readonly region: string;
  /** Another endpoint (a test server or an S3-compatible store), addressed path-style. */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
  /**
   * Makes everything consumed so far durable (the store's flush). Given only where that means
   * something (ingest, not normalize): then progress is checkpointed in `checkpointPath` after each
   * object, and a later run over the same URI continues after the last object stored.
   */
  readonly commit?: () => Promise<void>;
  readonly checkpointPath?: string;
  /** A canonical timestamp: leave out CloudTrail files dated (in the key path) before its day. */
  readonly since?: string;
  /** One sentence for the user (resuming, objects left out). */
  readonly notice: (message: string) => void;
}

interface S3Checkpoint {
  readonly version: 1;
  readonly uri: string;
  /** Every object up to this key (in ListObjectsV2's order) is stored. */
  readonly last_key: string;
  readonly updated_at: string;
}

function isS3Checkpoint(value: unknown): value is S3Checkpoint {
  const v = value as Partial<S3Checkpoint> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 1 &&
    typeof v.uri === 'string' &&
    typeof v.last_key === 'string'
  );
}

/** The default checkpoint file of `ingest s3://...` for this URI, in the checkpoint directory. */
export function s3CheckpointPath(directory: string, uri: string): string {
  const { bucket } = parseS3Uri(uri);
  const digest = createHash('sha256').update(uri).digest('hex').slice(0, 12);
  return checkpointPath(directory, `ingest-s3-${bucket}-${digest}`);
}

/** The S3 options of the CLI: AWS_REGION from its environment, and the TOKENTRAIL_S3_ENDPOINT setting. */
export function s3OptionsFrom(
  env: Readonly<Record<string, string | undefined>>,
  endpoint: string | undefined,
): Pick<S3InputOptions, 'region' | 'endpoint'> {
  return {
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
  };
}

async function* objectBody(client: S3Client, bucket: string, key: string): AsyncGenerator<Uint8Array> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  // In Node the body is the HTTP response stream: read chunk by chunk, never held whole.
  const body = response.Body as AsyncIterable<Uint8Array> | undefined;
  if (body) yield* body;
}

/**
 * The CloudTrail log files under `s3://BUCKET/PREFIX` as inputs, listed page by page with
 * ListObjectsV2 (digests and other files left out) and each opened from S3 only when read. With a
 * `commit`, the last object stored is checkpointed: ListObjectsV2 lists in key order, so a run that
 * was interrupted continues with StartAfter that key. An object that fails to be ingested holds the
 * checkpoint where it was, so the next run reads it again; the checkpoint goes once a run gets
 * through the whole listing, and the next run starts over (re-ingesting is harmless, writes are
 * idempotent on event_id).
 */
export async function* s3Inputs(uri: string, options: S3InputOptions): AsyncGenerator<Input> {
  const { bucket, prefix } = parseS3Uri(uri);
  const { commit } = options;
  const checkpoint =
    commit && options.checkpointPath ? new CheckpointFile(options.checkpointPath, isS3Checkpoint) : null;
  const saved = await checkpoint?.read();
  const startAfter = saved?.uri === uri ? saved.last_key : undefined;
  if (startAfter !== undefined) {
    options.notice(
      `resuming ${uri} after ${startAfter}, where an earlier ingest stopped (delete ${checkpoint?.path} to start over)`,
    );
  }

  // Loaded here: the SDK takes a while to import and most commands never need it.
  const { S3Client, paginateListObjectsV2 } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: options.region,
    // The bucket may live in another region than the one configured: follow S3's redirect.
    followRegionRedirects: true,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  let intact = true;
  let leftOut = 0;
  try {
    const pages = paginateListObjectsV2(
      { client },
      { Bucket: bucket, Prefix: prefix, ...(startAfter !== undefined ? { StartAfter: startAfter } : {}) },
    );
    for await (const page of pages) {
      for (const { Key: key } of page.Contents ?? []) {
        if (key === undefined) continue;
        if (!isLogObjectKey(key) || (options.since && !mayHoldEventsSince(key, options.since))) {
          leftOut += 1;
          continue;
        }
        let done = false;
        yield {
          name: `s3://${bucket}/${key}`,
          open: () => objectBody(client, bucket, key),
          consumed: async () => {
            done = true;
            if (!checkpoint || !commit || !intact) return;
            await commit();
            await checkpoint.write({
              version: 1,
              uri,
              last_key: key,
              updated_at: new Date().toISOString(),
            });
          },
        };
        // The consumer asks for the next input without having finished this one: it failed.
        if (!done) intact = false;
      }
    }
    if (checkpoint && intact) await checkpoint.remove();
  } finally {
    client.destroy();
  }
  if (leftOut > 0) {
    options.notice(
      `left out ${leftOut} object${leftOut === 1 ? '' : 's'} under ${uri}: not CloudTrail log files (.json.gz or .json; digests are not events)${
        options.since ? ` or dated before ${options.since.slice(0, 10)}` : ''
      }`,
    );
  }
}
