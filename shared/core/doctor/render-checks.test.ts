import type { CheckResult } from './check-result.js';
import { EMPTY_STREAM_NOTE, renderCheck, renderReport, renderReportNdjson } from './render-checks.js';

const FAILED: CheckResult = {
  check: 'gcp.sink.publish',
  status: 'fail',
  target: 'sink\u001b[31m\u202e',
  message: 'writer cannot publish',
  fix: 'gcloud pubsub topics add-iam-policy-binding t',
};

describe('render checks', () => {
  it('shows a mark, the check, a terminal-safe target and the fix on its own line', () => {
    expect(renderCheck(FAILED, 'ascii')).toBe(
      '[FAIL] gcp.sink.publish [sink\\u001b[31m\\u202e]: writer cannot publish\n' +
        '    fix: gcloud pubsub topics add-iam-policy-binding t\n',
    );
    expect(renderCheck({ check: 'a', status: 'ok', message: 'fine', fix: '' }, 'unicode')).toBe(
      '✓ a: fine\n',
    );
    expect(renderCheck({ check: 'a', status: 'warn', message: 'hm', fix: '' }, 'unicode')).toBe('! a: hm\n');
    expect(renderCheck({ check: 'a', status: 'fail', message: 'no', fix: '' }, 'unicode')).toBe('✗ a: no\n');
  });

  it('ends the report with the counts and the empty-stream note', () => {
    const report = renderReport([FAILED, { check: 'b', status: 'ok', message: 'fine', fix: '' }], 'ascii');
    expect(report).toContain('\n1 check ok, 0 warnings, 1 failed, 0 skipped\n');
    expect(report.endsWith(`${EMPTY_STREAM_NOTE}\n`)).toBe(true);
  });

  it('writes NDJSON: the checks as they are, then a summary', () => {
    const lines = renderReportNdjson([FAILED])
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      FAILED,
      { type: 'summary', ok: 0, warn: 0, fail: 1, skipped: 0, note: EMPTY_STREAM_NOTE },
    ]);
  });
});
