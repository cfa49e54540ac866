/** `npm run bench`; BENCH_ONLY=normalize or BENCH_ONLY=store runs one part. */
import { mkdirSync } from 'node:fs';
import { normalizeBench } from './normalize.bench.js';
import { storeBench } from './store.bench.js';

mkdirSync('.bench', { recursive: true });
const only = process.env.BENCH_ONLY;
if (only === undefined || only === 'normalize') await normalizeBench();
if (only === undefined || only === 'store') await storeBench();
