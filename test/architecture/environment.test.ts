import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { SETTINGS } from '../../shared/core/config/settings-table.js';

/**
 * Issue 13's one configuration table: settings are declared in shared/core/config, read from an
 * environment passed in (shared/adapters/config/settings.ts), and the process's own environment is
 * taken in one module only. The CLI's bin passes it into `main` as its `io.env`.
 */
const ROOT = resolve(__dirname, '../..');
const ALLOWED = new Set(['shared/adapters/config/process-environment.ts', 'bin/tokentrail.js']);

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'fixtures' ? [] : sources(path);
    return /\.(ts|js)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

/** Where the code (not a comment or a string) reads `process.env`. */
function readsOfProcessEnv(path: string, text = readFileSync(path, 'utf8')): number[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === 'env' &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'process'
    ) {
      lines.push(source.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

describe('the environment', () => {
  const files = ['shared', 'functions', 'cli', 'bin'].flatMap((top) => sources(join(ROOT, top)));

  it('finds the entry points it checks', () => {
    const names = files.map((file) => relative(ROOT, file));
    expect(names).toEqual(
      expect.arrayContaining(['functions/aws/lambda-runtime.ts', 'functions/gcp/index.ts', 'cli/main.ts']),
    );
  });

  it('is read from process.env in the configuration module only', () => {
    const reads = files.flatMap((file) => {
      const name = relative(ROOT, file);
      if (ALLOWED.has(name)) return [];
      return readsOfProcessEnv(file).map((line) => `${name}:${line}`);
    });
    expect(reads).toEqual([]);
  });

  it('declares every TOKENTRAIL_* variable the code names in the settings table', () => {
    const declared = new Set<string>(SETTINGS.map((spec) => spec.name));
    const named = new Set(
      files.flatMap((file) => readFileSync(file, 'utf8').match(/\bTOKENTRAIL_[A-Z0-9_]+\b/g) ?? []),
    );
    expect([...named].filter((name) => !declared.has(name)).sort()).toEqual([]);
  });

  it('catches a read in code, not in a comment or a string', () => {
    const text = "// process.env\nconst hint = 'process.env';\nconst store = process.env.TOKENTRAIL_STORE;";
    expect(readsOfProcessEnv('probe.ts', text)).toEqual([3]);
  });
});
