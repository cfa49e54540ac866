import type { S3ObjectRef } from '../../sources/s3-notification.js';
import type { RetryPolicy, Sleep } from '../http/backoff.js';
import { HttpError, type HttpStreamResponse, requestStream } from '../http/http-client.js';
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
export interface S3ObjectsDeps {
  /** Another S3 API root (path-style addressing); absent, the region's S3 endpoint. */
  readonly endpoint?: string | undefined;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

/**
 * Reads S3 objects for the trail-files Lambda with one signed GetObject (the SDK's own signer,
 * `@smithy/signature-v4`) through the shared HTTP client, not `@aws-sdk/client-s3`, whose import
 * and first request cost that Lambda's first event about 60 ms more
 * (docs/decisions/0012-signed-s3-getobject.md). S3's redirect to the bucket's region is followed
 * below as the client does.
 *
 * `deps.endpoint` (the TOKENTRAIL_S3_ENDPOINT setting) points it at another S3 API (path-style),
 * for tests and S3-compatible stores. The CLI keeps the client (s3-inputs.ts): it needs listing and the full credential chain.
 */
export function s3Objects(env: Env, deps: S3ObjectsDeps = {}): S3Objects {
  /** Buckets S3 told us live elsewhere: an organisation trail's bucket is often in another region. */
  const bucketRegions = new Map<string, string>();

  async function get(ref: S3ObjectRef, region: string): Promise<HttpStreamResponse> {
    const endpoint = deps.endpoint;
    const signed = await getObjectRequest({
      ...ref,
      region,
      credentials: credentialsFrom(env, ref),
      endpoint,
    });
    try {
      return await requestStream(
        signed.url,
        { headers: signed.headers },
        {
          service: 'S3 GetObject',
          timeoutMs: IDLE_TIMEOUT_MS,
          retry: RETRY,
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
          ...(deps.random ? { random: deps.random } : {}),
        },
      );
    } catch (error) {
      if (!(error instanceof HttpError) || error.code !== 'HTTP_STATUS') throw failed(error, ref);
      const answer = s3Error(error.body);
      const movedTo = error.headers.get('x-amz-bucket-region') ?? answer.region;
      if (movedTo && movedTo !== region && !bucketRegions.has(ref.bucket)) {
        bucketRegions.set(ref.bucket, movedTo);
        return get(ref, movedTo);
      }
      const detail = [answer.code, answer.message].filter(Boolean).join(': ') || 'no detail';
      throw new Error(
        `s3://${ref.bucket}/${ref.key}: GetObject answered ${error.status} ${detail}${tries(error)}`,
        { cause: error },
      );
    }
  }

  return {
    async open(ref) {
      const region = bucketRegions.get(ref.bucket) ?? env.AWS_REGION ?? 'us-east-1';
      const { body } = await get(ref, region);
      return {
        [Symbol.asyncIterator]: () => body[Symbol.asyncIterator](),
        destroy: () => body.destroy(),
      };
    },
  };
}

function credentialsFrom(env: Env, ref: S3ObjectRef): S3Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      `s3://${ref.bucket}/${ref.key}: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): ` +
        "the Lambda runtime sets them from the function's role",
    );
  }
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}

/**
 * S3's XML error: `<Code>`, `<Message>`, and the bucket's region when the error names it
 * (AuthorizationHeaderMalformed does, in `<Region>`).
 */
function s3Error(text: string): { code?: string; message?: string; region?: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  const region = /<Region>([a-z0-9-]+)<\/Region>/.exec(text)?.[1];
  return {
    ...(code ? { code } : {}),
    ...(message ? { message } : {}),
    ...(region ? { region } : {}),
  };
}

const tries = (error: HttpError) => (error.attempts > 1 ? ` (after ${error.attempts} tries)` : '');

function failed(error: unknown, ref: S3ObjectRef): Error {
  if (!(error instanceof HttpError)) return error instanceof Error ? error : new Error(String(error));
  return new Error(`s3://${ref.bucket}/${ref.key}: GetObject failed${tries(error)}: ${error.detail}`, {
    cause: error,
  });
}
