import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface GetObjectInput {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly credentials: S3Credentials;
  /** Another S3 API, addressed path-style; absent, AWS's regional endpoint. */
  readonly endpoint?: string | undefined;
  /** The signing time; absent, now. */
  readonly signingDate?: Date;
  /** Query parameters, signed with the rest (GetObject's `response-*` header overrides). */
  readonly query?: Readonly<Record<string, string>>;
}

export interface SignedGet {
  readonly url: URL;
  readonly headers: Record<string, string>;
}

/** SHA-256 of no bytes: a GET has no payload, and S3 wants its hash named. */
const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Bucket names that can be a host label: lowercase, no dots (a dot breaks S3's wildcard certificate). */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The signer's hash, on node:crypto (the SDK's own Sha256 comes with every checksum it knows). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytesOf(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** A key's path as S3 signs and reads it: each segment percent-encoded once (RFC 3986), slashes kept. */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

/**
 * Where GetObject goes: virtual-hosted at AWS when the bucket name allows it, else path-style. The
 * China regions have their own domain; GovCloud's follows the usual pattern.
 */
export function objectUrl(bucket: string, key: string, region: string, endpoint?: string): URL {
  const path = encodeKey(key);
  if (endpoint !== undefined) return new URL(`${endpoint.replace(/\/+$/, '')}/${bucket}/${path}`);
  const host = `s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
  if (VIRTUAL_HOSTABLE.test(bucket)) return new URL(`https://${bucket}.${host}/${path}`);
  return new URL(`https://${host}/${bucket}/${path}`);
}

/** A GetObject request signed with SigV4 for `s3` in the bucket's region. */
export async function getObjectRequest(input: GetObjectInput): Promise<SignedGet> {
  const url = objectUrl(input.bucket, input.key, input.region, input.endpoint);
  const query = input.query ?? {};
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const signer = new SignatureV4({
    service: 's3',
    region: input.region,
    credentials: input.credentials,
    sha256: NodeSha256,
    // The path is already encoded once, which is what S3 signs (other services encode twice).
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: { ...query },
      headers: { host: url.host, 'x-amz-content-sha256': EMPTY_PAYLOAD_SHA256 },
    },
    input.signingDate ? { signingDate: input.signingDate } : {},
  );
  return { url, headers: { ...signed.headers } };
}
