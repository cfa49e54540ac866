import { countStatuses, describeFailure, unreadable } from './check-result.js';

describe('unreadable', () => {
  const advice = { grant: 'grant roles/x', create: 'make it', target: 't' };

  it.each([
    [
      'denied',
      'skipped',
      'could not read the thing: 403 PERMISSION_DENIED: no; grant roles/x or run with a principal that can',
      'grant roles/x',
    ],
    ['error', 'skipped', 'could not read the thing: 403 PERMISSION_DENIED: no', ''],
    ['not_found', 'fail', 'the thing does not exist (403 PERMISSION_DENIED: no)', 'make it'],
  ] as const)('%s -> %s', (kind, status, message, fix) => {
    const failure = { kind, httpStatus: 403, code: 'PERMISSION_DENIED', message: 'no' };
    expect(unreadable('c', 'the thing', failure, advice)).toEqual({
      check: 'c',
      status,
      target: 't',
      message,
      fix,
    });
  });

  it('describes failures without an HTTP answer', () => {
    expect(describeFailure({ kind: 'error', message: 'TimeoutError: aborted' })).toBe(
      'TimeoutError: aborted',
    );
    expect(describeFailure({ kind: 'error', httpStatus: 500, message: '' })).toBe('500');
  });

  it('counts statuses', () => {
    const result = (status: 'ok' | 'warn' | 'fail' | 'skipped') => ({
      check: 'c',
      status,
      message: '',
      fix: '',
    });
    expect(countStatuses([result('ok'), result('ok'), result('fail'), result('skipped')])).toEqual({
      ok: 2,
      warn: 0,
      fail: 1,
      skipped: 1,
    });
  });
});
