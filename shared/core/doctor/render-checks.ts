import { terminalSafe } from '../render/terminal-safe.js';
import { type CheckCounts, type CheckResult, type CheckStatus, countStatuses } from './check-result.js';

const MARKS: Readonly<Record<'unicode' | 'ascii', Readonly<Record<CheckStatus, string>>>> = {
  unicode: { ok: '✓', warn: '!', fail: '✗', skipped: '-' },
  ascii: { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skipped: '[skip]' },
};

/** Said after every run: the doctor checks configuration, and silence proves nothing. */
export const EMPTY_STREAM_NOTE =
  'An empty event stream is not evidence of no activity: with audit logs off, a trail not logging or a sink ' +
  'that cannot publish, nothing arrives either. Fix the failures above before reading silence as quiet.';

/**
 * One check for people: a mark, the check and its target, the message, and the fix on the next
 * line. Messages and fixes carry names from the cloud, so every part is made terminal-safe.
 */
export function renderCheck(result: CheckResult, marks: 'unicode' | 'ascii'): string {
  const target = result.target ? ` [${terminalSafe(result.target)}]` : '';
  const head = `${MARKS[marks][result.status]} ${result.check}${target}: ${terminalSafe(result.message)}\n`;
  return result.fix ? `${head}    fix: ${terminalSafe(result.fix)}\n` : head;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function renderSummary(counts: CheckCounts): string {
  return `${plural(counts.ok, 'check')} ok, ${plural(counts.warn, 'warning')}, ${counts.fail} failed, ${counts.skipped} skipped\n`;
}

/** The whole report for people. */
export function renderReport(results: readonly CheckResult[], marks: 'unicode' | 'ascii'): string {
  return [
    ...results.map((result) => renderCheck(result, marks)),
    '\n',
    renderSummary(countStatuses(results)),
    `${EMPTY_STREAM_NOTE}\n`,
  ].join('');
}

/** `--json`: one check per line, then a summary line with the note. */
export function renderReportNdjson(results: readonly CheckResult[]): string {
  const lines = results.map((result) => JSON.stringify(result));
  lines.push(JSON.stringify({ type: 'summary', ...countStatuses(results), note: EMPTY_STREAM_NOTE }));
  return lines.map((line) => `${line}\n`).join('');
}
