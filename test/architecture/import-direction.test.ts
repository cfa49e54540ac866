import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The layers and what each may import (DEVELOPERS.md, "Layout and the direction of imports").
 * Arrows point inward only: entry points -> adapters/pipeline -> sources -> core.
 */
const ROOT = resolve(__dirname, '../..');
const LAYERS = [
  'shared/core',
  'shared/sources',
  'shared/pipeline',
  'shared/adapters',
  'functions',
  'cli',
  'bench',
  'infra',
  'test',
] as const;
type Layer = (typeof LAYERS)[number];

interface Rule {
  readonly layers: readonly Layer[];
  readonly node: readonly string[] | 'any';
  readonly packages: readonly string[] | 'any';
}

const RULES: Record<Layer, Rule> = {
  // The pure domain: no I/O, no SDK, no process, no other layer; only pure evaluators (CEL).
  'shared/core': { layers: ['shared/core'], node: [], packages: ['@marcbachmann/cel-js', 'ipaddr.js'] },
  // Bytes in, records out: zlib and stream plumbing, and hashing of the bytes a quarantine keeps.
  'shared/sources': {
    layers: ['shared/core', 'shared/sources'],
    node: ['node:zlib', 'node:stream', 'node:buffer', 'node:crypto'],
    packages: [],
  },
  // Use cases over ports: nothing concrete.
  'shared/pipeline': { layers: ['shared/core', 'shared/sources', 'shared/pipeline'], node: [], packages: [] },
  // The only place SDKs and I/O live; they implement pipeline ports.
  'shared/adapters': {
    layers: ['shared/core', 'shared/sources', 'shared/pipeline', 'shared/adapters'],
    node: 'any',
    packages: 'any',
  },
  functions: {
    layers: ['shared/core', 'shared/sources', 'shared/pipeline', 'shared/adapters', 'functions'],
    node: 'any',
    packages: 'any',
  },
  cli: {
    layers: ['shared/core', 'shared/sources', 'shared/pipeline', 'shared/adapters', 'cli'],
    node: 'any',
    packages: 'any',
  },
  bench: {
    layers: [
      'shared/core',
      'shared/sources',
      'shared/pipeline',
      'shared/adapters',
      'functions',
      'cli',
      'bench',
    ],
    node: 'any',
    packages: 'any',
  },
  infra: { layers: ['shared/core', 'infra'], node: 'any', packages: 'any' },
  test: { layers: [...LAYERS], node: 'any', packages: 'any' },
};

function layerOf(path: string): Layer | null {
  return LAYERS.find((layer) => path === layer || path.startsWith(`${layer}/`)) ?? null;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'fixtures' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly why: string;
}

function violationsOf(file: string, text = readFileSync(file, 'utf8')): Violation[] {
  const path = relative(ROOT, file);
  const layer = layerOf(path)!;
  const rule = RULES[layer];
  const isTest = path.endsWith('.test.ts');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const violations: Violation[] = [];

  for (const { fileName: specifier } of importedFiles) {
    if (specifier.startsWith('.')) {
      const target = relative(ROOT, resolve(file, '..', specifier));
      const targetLayer = layerOf(target);
      if (targetLayer === 'test' && layer !== 'test')
        violations.push({ file: path, specifier, why: 'nothing imports test/' });
      else if (targetLayer && !rule.layers.includes(targetLayer) && !isTest) {
        violations.push({ file: path, specifier, why: `${layer} may not import ${targetLayer}` });
      }
    } else if (!isTest) {
      const isNode = specifier.startsWith('node:');
      const allowed = isNode ? rule.node : rule.packages;
      if (allowed !== 'any' && !allowed.includes(specifier)) {
        violations.push({
          file: path,
          specifier,
          why: `${layer} may not import ${isNode ? 'Node I/O' : 'packages'}`,
        });
      }
    }
  }
  if (!isTest && (layer === 'shared/core' || layer === 'shared/sources' || layer === 'shared/pipeline')) {
    if (/\bprocess\.(env|argv|stdout|stderr|exit)\b/.test(text)) {
      violations.push({
        file: path,
        specifier: 'process',
        why: `${layer} must get config and I/O passed in`,
      });
    }
    if (layer === 'shared/core' && /\b(Date\.now|new Date\(\))/.test(text)) {
      violations.push({ file: path, specifier: 'Date.now', why: 'time comes into core through a Clock' });
    }
  }
  return violations;
}

describe('import direction', () => {
  const files = LAYERS.flatMap((layer) => {
    try {
      return sourceFiles(join(ROOT, layer));
    } catch {
      return [];
    }
  });

  it('finds the source files it checks', () => {
    expect(files.some((file) => file.includes('shared/core/'))).toBe(true);
  });

  it('has every import point inward', () => {
    expect(files.flatMap((file) => violationsOf(file))).toEqual([]);
  });

  it('catches an outward import', () => {
    const probe = join(ROOT, 'shared/core/__probe__.ts');
    const fake = (text: string) => violationsOf(probe, text).map((v) => v.why);
    expect(fake("import { x } from '../adapters/files/ndjson-output.js';")).toEqual([
      'shared/core may not import shared/adapters',
    ]);
    expect(fake("import { readFile } from 'node:fs';")).toEqual(['shared/core may not import Node I/O']);
    expect(fake("import { BigQuery } from '@google-cloud/bigquery';")).toEqual([
      'shared/core may not import packages',
    ]);
    expect(fake('const region = process.env.AWS_REGION;')).toEqual([
      'shared/core must get config and I/O passed in',
    ]);
  });
});
