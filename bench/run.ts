/** `npm run bench`; BENCH_ONLY=normalize, org-trail, store, ingest, cold-start, cli-start, page-ready or lambda-trail runs one part. */
import { mkdirSync } from 'node:fs';
import { coldStartBench } from './cold-start.bench.js';
import { normalizeBench } from './normalize.bench.js';
import { storeBench } from './store.bench.js';

mkdirSync('.bench', { recursive: true });
const only = process.env.BENCH_ONLY;
if (only === undefined || only === 'normalize') await normalizeBench();
if (only === undefined || only === 'org-trail') await (await import('./normalize.bench.js')).orgTrailBench();
if (only === undefined || only === 'store') await storeBench();
if (only === undefined || only === 'ingest') await (await import('./ingest.bench.js')).ingestBench();
if (only === undefined || only === 'cold-start') await coldStartBench();
if (only === undefined || only === 'cli-start') await (await import('./cli-start.bench.js')).cliStartBench();
if (only === undefined || only === 'page-ready')
  await (await import('./page-ready.bench.js')).pageReadyBench();
if (only === undefined || only === 'lambda-trail')
  await (await import('./lambda-trail.bench.js')).lambdaTrailBench();
