import { servedTarget } from './framework-hooks.js';

describe('servedTarget', () => {
  const argv = (...args: string[]) => ['node', 'functions-framework', ...args];

  it('reads --target as the framework does, in either form, before FUNCTION_TARGET', () => {
    expect(servedTarget(argv('--target=ingestPubSub', '--port=8080'), {})).toBe('ingestPubSub');
    expect(servedTarget(argv('--port', '8080', '--target', 'ingestAuditLog'), { FUNCTION_TARGET: 'x' })).toBe(
      'ingestAuditLog',
    );
  });

  it('falls back to FUNCTION_TARGET (set by the gen2 runtime), then to the framework default', () => {
    expect(servedTarget(argv(), { FUNCTION_TARGET: 'scheduledDetect' })).toBe('scheduledDetect');
    expect(servedTarget(argv(), {})).toBe('function');
  });
});
