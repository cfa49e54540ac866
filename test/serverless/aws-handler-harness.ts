import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lambdaRuntime } from '../../functions/aws/lambda-runtime.js';
import type { QueryCell } from '../../shared/pipeline/ports.js';

export const FIXTURES = join(__dirname, '..', '..', 'functions', 'aws', 'fixtures');
export const POLICY = join(__dirname, '..', '..', 'docs', 'policy.example.yaml');

// biome-ignore lint/suspicious/noExplicitAny: fixtures are read as untyped events
export function fixture(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/**
 * Each case gets its own DuckDB store file and a clean environment; the handlers' shared runtime
 * is closed after each case (DuckDB allows one writer, and the next case names another store).
 * `logs` holds the handlers' log lines, parsed.
 */
export function useHandlerEnvironment(extra: () => Record<string, string> = () => ({})) {
  const original = { ...process.env };
  const state = { directory: '', store: '', logs: [] as Record<string, unknown>[] };
  let writes: jest.SpyInstance[] = [];

  beforeAll(() => {
    state.directory = mkdtempSync(join(tmpdir(), 'tokentrail-lambda-'));
  });
  afterAll(() => rmSync(state.directory, { recursive: true, force: true }));

  beforeEach(() => {
    state.store = join(state.directory, `store-${Date.now()}-${Math.random().toString(36).slice(2)}.duckdb`);
    for (const key of Object.keys(process.env)) if (key.startsWith('TOKENTRAIL_')) delete process.env[key];
    Object.assign(process.env, { TOKENTRAIL_STORE: state.store, ...extra() });
    state.logs = [];
    // The logger writes INFO lines to stdout, WARN and ERROR ones to stderr: one list, in order.
    writes = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          try {
            state.logs.push(JSON.parse(line));
          } catch {
            state.logs.push({ text: line });
          }
        }
        return true;
      }),
    );
  });

  afterEach(async () => {
    for (const write of writes) write.mockRestore();
    await lambdaRuntime.reset();
    process.env = { ...original };
  });

  return state;
}

/** Runs SQL against the store the handlers wrote, through their own open runtime. */
export async function storeRows(sql: string): Promise<readonly Readonly<Record<string, QueryCell>>[]> {
  const runtime = await lambdaRuntime.get();
  return (await runtime.store.sql(sql)).rows;
}
