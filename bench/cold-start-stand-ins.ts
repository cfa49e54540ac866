import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One local server standing in for every endpoint a handler's first event reaches, so the cold
 * start measured is the real path, credentials included: S3 (trail files put into it), Google STS
 * (the Lambdas' federated token exchange), the GCP metadata server (a Cloud Function's token) and
 * BigQuery (insertAll and jobs.query). It counts the rows BigQuery was sent, so the bench can
 * check that an event meant to store a row did.
 */
export interface StandIns {
  readonly url: string;
  /** `host:port`, as GCE_METADATA_HOST wants it. */
  readonly host: string;
  /** Serves `body` at `GET /BUCKET/KEY`, path-style. */
  putObject(bucket: string, key: string, body: Buffer): void;
  rowsWritten(): number;
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

export async function startStandIns(): Promise<StandIns> {
  const objects = new Map<string, Buffer>();
  let rows = 0;

  const server = createServer(async (request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/');
    const body = await bodyOf(request);
    const object = request.method === 'GET' ? objects.get(path) : undefined;
    if (object) {
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
      rows += (JSON.parse(body) as { rows: unknown[] }).rows.length;
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
    rowsWritten: () => rows,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
