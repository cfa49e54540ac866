import type { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ObjectRef } from '../../sources/s3-notification.js';

type Env = Readonly<Record<string, string | undefined>>;

/** An S3 object's body as it arrives: bytes in chunks, never the whole object in memory. */
export interface S3ObjectBody extends AsyncIterable<Uint8Array> {
  /** Releases the connection when the reader stops early (a cap reached, a store failure). */
  destroy(): void;
}

export interface S3Objects {
  open(ref: S3ObjectRef): Promise<S3ObjectBody>;
}

/**
 * Reads S3 objects with GetObject. The SDK is loaded, the environment read and the client built on
 * first use, so a cold start pays for none of it. `TOKENTRAIL_S3_ENDPOINT` points the client at
 * another S3 API (path-style addressing), for tests and S3-compatible stores; otherwise it follows
 * the bucket's region, since an organisation trail's bucket often lives in another region.
 */
export function s3Objects(env: Env): S3Objects {
  let client: Promise<{ client: S3Client; GetObject: typeof GetObjectCommand }> | undefined;
  const connect = () => {
    const endpoint = env.TOKENTRAIL_S3_ENDPOINT?.trim() || undefined;
    client ??= import('@aws-sdk/client-s3').then(({ S3Client, GetObjectCommand }) => ({
      client: new S3Client(endpoint ? { endpoint, forcePathStyle: true } : { followRegionRedirects: true }),
      GetObject: GetObjectCommand,
    }));
    return client;
  };
  return {
    async open({ bucket, key }) {
      const { client, GetObject } = await connect();
      const output = await client.send(new GetObject({ Bucket: bucket, Key: key }));
      const body = output.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
      if (!body) throw new Error(`s3://${bucket}/${key}: GetObject returned no body`);
      return {
        [Symbol.asyncIterator]: () => body[Symbol.asyncIterator](),
        destroy: () => body.destroy?.(),
      };
    },
  };
}
