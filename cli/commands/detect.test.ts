import { detectionSteps, storeForQueries } from './detect.js';

const DAY = 86_400_000;

describe('detectionSteps', () => {
  it('cuts the window into steps from its start, the last one shorter, keeping its exact ends', () => {
    const range = { since: '2026-11-28T17:07:56.000001Z', until: '2026-11-30T20:00:00.000000Z' };
    expect(detectionSteps(range, DAY)).toEqual([
      { since: '2026-11-28T17:07:56.000001Z', until: '2026-11-29T17:07:56.000000Z' },
      { since: '2026-11-29T17:07:56.000000Z', until: '2026-11-30T17:07:56.000000Z' },
      { since: '2026-11-30T17:07:56.000000Z', until: '2026-11-30T20:00:00.000000Z' },
    ]);
  });

  it('is the whole window without a step, or with one as long as the window', () => {
    const range = { since: '2026-11-28T00:00:00.000000Z', until: '2026-11-29T00:00:00.000000Z' };
    expect(detectionSteps(range)).toEqual([range]);
    expect(detectionSteps(range, DAY)).toEqual([range]);
    expect(detectionSteps(range, 7 * DAY)).toEqual([range]);
  });
});

describe('storeForQueries', () => {
  it('names any store but the default one, as --store takes it', () => {
    expect(storeForQueries({ kind: 'duckdb', path: '.tokentrail/tokentrail.duckdb' }, 'duckdb:x')).toBe(
      undefined,
    );
    expect(storeForQueries({ kind: 'duckdb', path: './.tokentrail//tokentrail.duckdb' }, 'duckdb:x')).toBe(
      undefined,
    );
    expect(
      storeForQueries({ kind: 'duckdb', path: '.tokentrail/demo.duckdb' }, 'duckdb:.tokentrail/demo.duckdb'),
    ).toBe('duckdb:.tokentrail/demo.duckdb');
    expect(
      storeForQueries(
        { kind: 'bigquery', projectId: 'acme-sec', dataset: 'tokentrail' },
        'bigquery://acme-sec/tokentrail',
      ),
    ).toBe('bigquery://acme-sec/tokentrail');
  });
});
