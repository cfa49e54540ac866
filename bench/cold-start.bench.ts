/**
 * Cold start of each deployed handler, bundled as it ships: a fresh Node process that imports the
 * bundle, builds the runtime (configuration, policy, the BigQuery client, the S3 client where the
 * handler reads S3) and handles one event that needs no network beyond a local S3 stand-in. Each
 * is compared with `node -e 0` measured in the same rounds, alternating, so machine noise hits both.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { parse } from 'yaml';
import { buildGcpFunctions } from '../functions/gcp/build.js';

const ROOT = resolve('.');
const OUT = resolve('.bench/cold-start');
const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 15);

interface Probe {
  readonly name: string;
  readonly target: number;
  /** One cold start, in milliseconds. */
  run(env: NodeJS.ProcessEnv): Promise<number>;
}

/** A script run as `node FILE` that imports a bundle (and maybe handles an event), then exits. */
function scriptProbe(name: string, target: number, file: string, script: string): Probe {
  writeFileSync(file, script);
  return { name, target, run: (env) => timeOnce([file], env) };
}

const ESBUILD_OPTIONS = new Set([
  'bundle',
  'minify',
  'sourcemap',
  'platform',
  'target',
  'format',
  'splitting',
  'mainFields',
  'banner',
  'external',
  'define',
  'loader',
  'keepNames',
  'treeShaking',
]);

interface ServerlessYaml {
  readonly custom: { readonly esbuild: Record<string, unknown> };
  readonly functions: Record<string, { readonly handler: string }>;
}

/** The bundles serverless-esbuild makes, with the options serverless.yml gives it. */
async function buildLambdas(outdir: string): Promise<Record<string, string>> {
  const config = parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'), {
    logLevel: 'error',
  }) as ServerlessYaml;
  const settings = config.custom.esbuild;
  // serverless-esbuild's own settings (exclude, packager, output folders) are not esbuild's.
  const esbuild = Object.fromEntries(
    Object.entries(settings).filter(([key]) => ESBUILD_OPTIONS.has(key)),
  ) as BuildOptions;
  const extension = typeof settings.outputFileExtension === 'string' ? settings.outputFileExtension : '.js';
  const entries: Record<string, string> = {};
  for (const [name, { handler }] of Object.entries(config.functions)) {
    entries[name] = join(ROOT, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);
  }
  await build({
    ...esbuild,
    entryPoints: entries,
    outdir,
    outExtension: { '.js': extension },
    logLevel: 'silent',
  });
  return Object.fromEntries(Object.keys(entries).map((name) => [name, join(outdir, `${name}${extension}`)]));
}

function cloudTrailRecord(eventName: string): object {
  return {
    eventVersion: '1.08',
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    eventID: 'c0ffee00-0000-4000-8000-000000000001',
    eventType: 'AwsApiCall',
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/ci/x' },
  };
}

/** Events that exercise decoding and the runtime but store nothing (the records are not federation). */
function lambdaEvents(s3Endpoint: string) {
  const record = cloudTrailRecord('GetCallerIdentity');
  const dataMessage = {
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup: 'aws-cloudtrail',
    logStream: '111122223333_CloudTrail_us-east-1',
    subscriptionFilters: ['tokentrail'],
    logEvents: [{ id: '1', timestamp: 1_795_000_000_000, message: JSON.stringify(record) }],
  };
  const notification = {
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: {
          bucket: { name: 'trail' },
          object: { key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/f.json.gz', size: 64 },
        },
      },
    ],
  };
  return {
    eventbridge: {
      version: '0',
      id: 'bench',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.sts',
      account: '111122223333',
      time: '2026-11-20T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: record,
    },
    cloudtrailFiles: {
      Records: [
        {
          messageId: 'bench-1',
          receiptHandle: 'r',
          body: JSON.stringify(notification),
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
          attributes: {},
          messageAttributes: {},
          awsRegion: 'us-east-1',
          md5OfBody: '',
        },
      ],
    },
    cloudwatchLogs: { awslogs: { data: gzipSync(JSON.stringify(dataMessage)).toString('base64') } },
    s3Endpoint,
  };
}

function lambdaProbe(bundle: string, event: unknown): string {
  return `const { handler } = await import(${JSON.stringify(bundle)});
await handler(${JSON.stringify(event)}, { awsRequestId: 'bench' });
`;
}

function lambdaImportProbe(bundle: string): string {
  return `await import(${JSON.stringify(bundle)});\n`;
}

/** The framework first: it is what loads the bundle in the cloud, and the bundle registers into it. */
function gcpImportProbe(bundle: string): string {
  return `const { createRequire } = await import('node:module');
createRequire(${JSON.stringify(bundle)})('@google-cloud/functions-framework');
await import(${JSON.stringify(bundle)});
`;
}

const FRAMEWORK_MAIN = 'node_modules/@google-cloud/functions-framework/build/src/main.js';
// The framework's registry, the module its `cloudEvent()` writes to (the package exports only the
// testing entry, which loads a test server and costs about 100 ms that the cloud never pays).
const FRAMEWORK_REGISTRY = 'node_modules/@google-cloud/functions-framework/build/src/function_registry.js';

/** In-process: the framework, the bundle, then the registered function called with one event. */
function gcpInvokeProbe(bundle: string, functionName: string): string {
  const push = pubSubPush();
  const event = {
    specversion: '1.0',
    id: 'bench',
    source: push.headers['ce-source'],
    type: push.headers['ce-type'],
    data: JSON.parse(push.body),
  };
  return `const { createRequire } = await import('node:module');
const require = createRequire(${JSON.stringify(bundle)});
require('@google-cloud/functions-framework');
await import(${JSON.stringify(bundle)});
const { getRegisteredFunction } = require(${JSON.stringify(join(ROOT, FRAMEWORK_REGISTRY))});
await getRegisteredFunction(${JSON.stringify(functionName)}).userFunction(${JSON.stringify(event)});
`;
}

function pubSubPush(): { headers: Record<string, string>; body: string } {
  const entry = {
    insertId: 'bench',
    logName: 'projects/acme/logs/cloudaudit.googleapis.com%2Factivity',
    timestamp: '2026-11-20T10:00:00Z',
    protoPayload: {
      serviceName: 'pubsub.googleapis.com',
      methodName: 'google.pubsub.v1.Publisher.CreateTopic',
    },
  };
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'bench',
      'ce-source': '//pubsub.googleapis.com/projects/acme/topics/tokentrail-audit-logs',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
    },
    body: JSON.stringify({
      message: { data: Buffer.from(JSON.stringify(entry)).toString('base64'), messageId: 'bench' },
      subscription: 'projects/acme/subscriptions/tokentrail',
    }),
  };
}

let nextPort = 18_700;

/** The framework serving a function that does nothing: what any Cloud Function on it starts with. */
function noopFunction(): string {
  const directory = join(OUT, 'noop');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'package.json'), '{"type":"module","main":"index.js"}\n');
  writeFileSync(
    join(directory, 'index.js'),
    "import * as functions from '@google-cloud/functions-framework';\nfunctions.cloudEvent('noop', () => {});\n",
  );
  return directory;
}

/**
 * As Cloud Run starts a function: the functions framework's own server on the bundle, from
 * process start until it has answered one binary CloudEvent (polled every 2 ms until it listens).
 */
function serverProbe(name: string, target: number, bundleDir: string, functionName: string): Probe {
  const request = pubSubPush();
  return {
    name,
    target,
    async run(env) {
      const port = nextPort++;
      const started = process.hrtime.bigint();
      const child = spawn(
        process.execPath,
        [
          join(ROOT, FRAMEWORK_MAIN),
          `--target=${functionName}`,
          '--signature-type=cloudevent',
          `--port=${port}`,
          `--source=${bundleDir}`,
        ],
        { env, stdio: 'ignore' },
      );
      try {
        for (;;) {
          const response = await fetch(`http://127.0.0.1:${port}/`, {
            method: 'POST',
            headers: request.headers,
            body: request.body,
          }).catch(() => null);
          if (response) {
            if (!response.ok) throw new Error(`${functionName} answered ${response.status}`);
            return Number(process.hrtime.bigint() - started) / 1e6;
          }
          if (child.exitCode !== null) throw new Error(`${functionName} exited with ${child.exitCode}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      } finally {
        child.kill();
      }
    },
  };
}

/** Async, so the S3 stand-in in this process can answer while the child runs. */
function timeOnce(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) done(elapsed);
      else fail(new Error(`node ${args.join(' ')} failed:\n${stderr}`));
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function coldStartBench(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const emptyTrailFile = gzipSync('{"Records":[]}');
  const s3 = createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': emptyTrailFile.length,
    });
    response.end(emptyTrailFile);
  });
  await new Promise<void>((ready) => s3.listen(0, '127.0.0.1', ready));
  const s3Endpoint = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;

  try {
    const lambdas = await buildLambdas(join(OUT, 'aws'));
    const gcp = await buildGcpFunctions({ root: ROOT, outdir: join(OUT, 'gcp') });
    const events = lambdaEvents(s3Endpoint);
    const gcpBundle = join(gcp.outdir, 'index.js');
    const script = (index: number) => join(OUT, `probe-${index}.mjs`);
    const probes: Probe[] = [
      scriptProbe('aws eventbridge: import', 3, script(0), lambdaImportProbe(lambdas.eventbridge!)),
      scriptProbe('aws scheduledDetect: import', 3, script(1), lambdaImportProbe(lambdas.scheduledDetect!)),
      scriptProbe('gcp functions: framework + import', 2.5, script(2), gcpImportProbe(gcpBundle)),
      scriptProbe('aws eventbridge', 3, script(3), lambdaProbe(lambdas.eventbridge!, events.eventbridge)),
      scriptProbe(
        'aws cloudtrailFiles (SQS → S3 GetObject)',
        3,
        script(4),
        lambdaProbe(lambdas.cloudtrailFiles!, events.cloudtrailFiles),
      ),
      scriptProbe(
        'aws cloudwatchLogs',
        3,
        script(5),
        lambdaProbe(lambdas.cloudwatchLogs!, events.cloudwatchLogs),
      ),
      scriptProbe('gcp ingestPubSub (in-process)', 2.5, script(6), gcpInvokeProbe(gcpBundle, 'ingestPubSub')),
      serverProbe('gcp framework server, no-op function', Number.NaN, noopFunction(), 'noop'),
      serverProbe('gcp ingestPubSub (server, first event)', 2.5, gcp.outdir, 'ingestPubSub'),
    ];
    const credentials = join(OUT, 'gcp-wif-credentials.json');
    writeFileSync(
      credentials,
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/aws',
        subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
        token_url: 'https://sts.googleapis.com/v1/token',
        credential_source: {
          environment_id: 'aws1',
          regional_cred_verification_url:
            'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
        },
      }),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      TOKENTRAIL_STORE: 'bigquery://bench-project/tokentrail',
      TOKENTRAIL_S3_ENDPOINT: s3Endpoint,
      GOOGLE_APPLICATION_CREDENTIALS: credentials,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_SESSION_TOKEN: 'bench-token',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      METADATA_SERVER_DETECTION: 'none',
    };
    // Warm the file cache once, as a platform's image cache would be.
    for (const probe of probes) await probe.run(env);
    const baseline: number[] = [];
    const samples: number[][] = probes.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await timeOnce(['-e', '0'], env));
      for (const [index, probe] of probes.entries()) samples[index]!.push(await probe.run(env));
    }

    const base = median(baseline);
    console.log(`\ncold start: ${ROUNDS} alternating rounds, median wall time of a fresh process`);
    console.log('  "import": start + import of the bundle; the others also build the runtime (config, the');
    console.log(
      '  BigQuery client with federated credentials, the S3 client where used) and handle one event;',
    );
    console.log('  the GCP one runs the functions framework server until it has answered the event');
    console.log(`  node -e 0                                   ${base.toFixed(0).padStart(5)} ms`);
    probes.forEach((probe, index) => {
      const ms = median(samples[index]!);
      const ratio = ms / base;
      const verdict = Number.isNaN(probe.target)
        ? '(reference)'
        : `(target ≤ ${probe.target}×) ${ratio <= probe.target ? 'ok' : 'OVER'}`;
      console.log(
        `  ${probe.name.padEnd(42)} ${ms.toFixed(0).padStart(5)} ms  ${ratio.toFixed(2)}× ${verdict}`,
      );
    });
  } finally {
    s3.close();
  }
}
