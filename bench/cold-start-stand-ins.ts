import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * One local server standing in for every endpoint a handler's first event reaches, so the cold
 * start measured is the real path, credentials included: S3 (trail files put into it), Google STS
 * (the Lambdas' federated token exchange), the GCP metadata server (a Cloud Function's token) and
 * BigQuery (insertAll and jobs.query). It counts the rows BigQuery was sent, so the bench can
 * check that an event meant to store a row did. An object put as a file is streamed from disk, so
 * a 1 GB trail file costs this process no memory (bench/lambda-trail.bench.ts).
 */
export interface StandIns {
  readonly url: string;
  /** `host:port`, as GCE_METADATA_HOST wants it. */
  readonly host: string;
  /** Serves `body` at `GET /BUCKET/KEY`, path-style. */
  putObject(bucket: string, key: string, body: Buffer): void;
  /** Serves the file at `path` at `GET /BUCKET/KEY`, read from disk on each request. */
  putObjectFile(bucket: string, key: string, path: string): void;
  rowsWritten(): number;
  /**
   * What insertAll was sent: requests, and the rows' size as BigQuery bills streaming inserts
   * (`rowBytes`, see `bigQueryRowBytes`; `billedBytes` with each row counted as at least 1 KB).
   */
  insertAllBytes(): { readonly rowBytes: number; readonly billedBytes: number; readonly requests: number };
  close(): Promise<void>;
}

const TOKEN = { access_token: 'bench-token', token_type: 'Bearer', expires_in: 3600 };

function json(response: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function metadataText(response: ServerResponse, body: string): void {
  response.writeHead(200, { 'content-type': 'text/plain', 'metadata-flavor': 'Google' });
  response.end(body);
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

/**
 * A row's size by BigQuery's data size calculation: a STRING (a JSON column too, sent as its text)
 * is 2 bytes plus its UTF-8 length, a number or boolean 8, a NULL 0. TIMESTAMP cells arrive as
 * RFC 3339 text and are counted as strings here (BigQuery counts 8): a slight overestimate.
 */
export function bigQueryRowBytes(row: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const value of Object.values(row)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') size += 2 + Buffer.byteLength(value);
    else if (typeof value === 'number' || typeof value === 'boolean') size += 8;
    else size += Buffer.byteLength(JSON.stringify(value));
  }
  return size;
}

export interface StandInOptions {
  /** How long BigQuery's insertAll takes to answer, as a real one's round trip would (default 0). */
  readonly insertAllDelayMs?: number;
}

export async function startStandIns(options: StandInOptions = {}): Promise<StandIns> {
  const objects = new Map<string, Buffer>();
  const files = new Map<string, string>();
  let rows = 0;
  let rowBytes = 0;
  let billedBytes = 0;
  let requests = 0;

  const server = createServer(async (request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/');
    const body = await bodyOf(request);
    const object = request.method === 'GET' ? objects.get(path) : undefined;
    const file = request.method === 'GET' ? files.get(path) : undefined;
    if (file) {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': statSync(file).size,
      });
      // A reader that stops early (a cap, a failure) closes the connection: that is no error here.
      await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), response).catch(() => {});
    } else if (object) {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': object.length,
      });
      response.end(object);
    } else if (path === '/v1/token') {
      json(response, { ...TOKEN, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
    } else if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      json(response, TOKEN, { 'metadata-flavor': 'Google' });
    } else if (path === '/computeMetadata/v1/universe/universe-domain') {
      metadataText(response, 'googleapis.com');
    } else if (path === '/computeMetadata/v1/project/project-id') {
      metadataText(response, 'bench-project');
    } else if (path.endsWith('/insertAll')) {
      const sent = (JSON.parse(body) as { rows: { json: unknown }[] }).rows;
      rows += sent.length;
      requests += 1;
      for (const row of sent) {
        const size = bigQueryRowBytes(row.json as Record<string, unknown>);
        rowBytes += size;
        billedBytes += Math.max(1024, size);
      }
      if (options.insertAllDelayMs) await new Promise((wait) => setTimeout(wait, options.insertAllDelayMs));
      json(response, { kind: 'bigquery#tableDataInsertAllResponse' });
    } else if (path.endsWith('/queries')) {
      json(response, {
        jobComplete: true,
        jobReference: { projectId: 'bench-project', jobId: 'bench', location: 'US' },
        schema: { fields: [] },
        totalRows: '0',
        numDmlAffectedRows: '0',
      });
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    putObject: (bucket, key, body) => objects.set(`/${bucket}/${key}`, body),
    putObjectFile: (bucket, key, path) => files.set(`/${bucket}/${key}`, path),
    rowsWritten: () => rows,
    insertAllBytes: () => ({ rowBytes, billedBytes, requests }),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * A Lambda's environment against the stand-ins: the role's session in AWS_* variables, federated
 * to Google at the local STS (an `external_account` configuration written into `dir`), S3 at the
 * stand-in.
 */
export function lambdaEnvironment(
  standIns: StandIns,
  dir: string,
  common: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const credentials = join(dir, 'gcp-wif-credentials.json');
  writeFileSync(
    credentials,
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/aws',
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      token_url: `${standIns.url}/v1/token`,
      credential_source: {
        environment_id: 'aws1',
        regional_cred_verification_url:
          'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
      },
    }),
  );
  return {
    ...common,
    GOOGLE_APPLICATION_CREDENTIALS: credentials,
    TOKENTRAIL_S3_ENDPOINT: standIns.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-token',
  };
}
