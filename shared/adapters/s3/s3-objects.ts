import type { IncomingMessage } from 'node:http';
import type { S3ObjectRef } from '../../sources/s3-notification.js';
import { backoffDelayMs, type RetryPolicy, realSleep } from '../http/backoff.js';
import { readText, sendRequest } from '../http/node-request.js';
import { getObjectRequest, type S3Credentials } from './get-object-request.js';

type Env = Readonly<Record<string, string | undefined>>;

/** An S3 object's body as it arrives: bytes in chunks, never the whole object in memory. */
export interface S3ObjectBody extends AsyncIterable<Uint8Array> {
  /** Releases the connection when the reader stops early (a cap reached, a store failure). */
  destroy(): void;
}

export interface S3Objects {
  open(ref: S3ObjectRef): Promise<S3ObjectBody>;
}

/** Tries of one GetObject in all; the waits between them are short, the message is retried anyway. */
const RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };
const IDLE_TIMEOUT_MS = 30_000;
/** What S3 answers when it is briefly unable to: worth another try. */
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const MAX_ERROR_BODY_BYTES = 16 * 1024;

class S3ReadError extends Error {
  override readonly name = 'S3ReadError';
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/**
 * Reads S3 objects for the trail-files Lambda with one signed GetObject over node:http(s)
 * (node-request.ts), not `@aws-sdk/client-s3`: in the bundled Lambda the client costs about 55 ms
 * to import and 27 ms more on its first request, which alone broke the ≤ 3× cold-start target
 * (4.6× with it, see bench/cold-start.bench.ts). The signing is the SDK's own (`@smithy/signature-v4`) and what the
 * client would add here is little: a Lambda's credentials are always in its environment, and the
 * one redirect that matters, to the bucket's region, is followed below as the client does.
 *
 * `TOKENTRAIL_S3_ENDPOINT` points it at another S3 API (path-style), for tests and S3-compatible
 * stores. The CLI keeps the client (s3-inputs.ts): it needs listing and the full credential chain.
 */
export function s3Objects(env: Env): S3Objects {
  /** Buckets S3 told us live elsewhere: an organisation trail's bucket is often in another region. */
  const bucketRegions = new Map<string, string>();

  async function get(ref: S3ObjectRef, region: string): Promise<IncomingMessage> {
    const endpoint = env.TOKENTRAIL_S3_ENDPOINT?.trim() || undefined;
    const request = await getObjectRequest({ ...ref, region, credentials: credentialsFrom(env), endpoint });
    const response = await sendRequest(request.url, {
      method: 'GET',
      headers: request.headers,
      timeoutMs: IDLE_TIMEOUT_MS,
    });
    if (response.statusCode === 200) return response;
    const { error, bucketRegion } = await errorOf(response, ref);
    const movedTo = response.headers['x-amz-bucket-region'] ?? bucketRegion;
    if (typeof movedTo === 'string' && movedTo !== region && !bucketRegions.has(ref.bucket)) {
      bucketRegions.set(ref.bucket, movedTo);
      return get(ref, movedTo);
    }
    throw error;
  }

  return {
    async open(ref) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const region = bucketRegions.get(ref.bucket) ?? env.AWS_REGION ?? 'us-east-1';
          const body = await get(ref, region);
          return {
            [Symbol.asyncIterator]: () => body[Symbol.asyncIterator](),
            destroy: () => body.destroy(),
          };
        } catch (error) {
          const transient = !(error instanceof S3ReadError) || error.transient;
          if (!transient || attempt >= RETRY.attempts) throw withObject(error, ref, attempt);
          await realSleep(backoffDelayMs(attempt, RETRY, Math.random));
        }
      }
    },
  };
}

function credentialsFrom(env: Env): S3Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new S3ReadError(
      'no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): ' +
        "the Lambda runtime sets them from the function's role",
      false,
    );
  }
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}

/**
 * S3's XML error, read (bounded) into `404 NoSuchKey: The specified key does not exist.`, and the
 * bucket's region when the error names it (AuthorizationHeaderMalformed does, in `<Region>`).
 */
async function errorOf(
  response: IncomingMessage,
  ref: S3ObjectRef,
): Promise<{ error: S3ReadError; bucketRegion: string | undefined }> {
  const text = await readText(response, MAX_ERROR_BODY_BYTES);
  const status = response.statusCode ?? 0;
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  const detail = [code, message].filter(Boolean).join(': ') || response.statusMessage || 'no detail';
  const error = new S3ReadError(
    `s3://${ref.bucket}/${ref.key}: GetObject answered ${status} ${detail}`,
    TRANSIENT_STATUS.has(status) || code === 'SlowDown',
  );
  return { error, bucketRegion: /<Region>([a-z0-9-]+)<\/Region>/.exec(text)?.[1] };
}

function withObject(error: unknown, ref: S3ObjectRef, attempts: number): Error {
  const tries = attempts > 1 ? ` (after ${attempts} tries)` : '';
  if (error instanceof S3ReadError) return new Error(`${error.message}${tries}`, { cause: error });
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`s3://${ref.bucket}/${ref.key}: GetObject failed${tries}: ${reason}`, { cause: error });
}
