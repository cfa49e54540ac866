import { PassThrough } from 'node:stream';
import type { CliIo } from './cli-io.js';
import { fittedTable } from './fitted-table.js';
import { tableWidth } from './table-width.js';

function ioWith(stdout: { isTTY?: boolean; columns?: number }, env: Record<string, string> = {}): CliIo {
  return {
    stdin: new PassThrough(),
    stdout: Object.assign(new PassThrough(), stdout),
    stderr: new PassThrough(),
    stdinIsTTY: false,
    stderrIsTTY: false,
    version: '0.0.0-test',
    env,
    now: () => new Date(0),
  };
}

describe('tableWidth', () => {
  it("takes a terminal's width, then $COLUMNS, and nothing for a pipe", () => {
    expect(tableWidth(ioWith({ isTTY: true, columns: 120 }, { COLUMNS: '90' }), false)).toBe(120);
    expect(tableWidth(ioWith({}, { COLUMNS: '90' }), false)).toBe(90);
    expect(tableWidth(ioWith({ isTTY: true }, { COLUMNS: '90' }), false)).toBe(90);
    expect(tableWidth(ioWith({}), false)).toBeNull();
  });

  it('is null with --wide, and ignores a $COLUMNS that is no width', () => {
    expect(tableWidth(ioWith({ isTTY: true, columns: 120 }), true)).toBeNull();
    for (const COLUMNS of ['', '0', '-5', 'wide', '80.5'])
      expect(tableWidth(ioWith({}, { COLUMNS }), false)).toBeNull();
  });
});

describe('fittedTable', () => {
  const result = {
    columns: ['subject'],
    rows: [{ subject: `repo:acme/${'x'.repeat(120)}:ref:refs/heads/main` }],
  };

  it('says below a cut table where the full values are, and nothing when nothing was cut', () => {
    expect(fittedTable(result, 40).split('\n').slice(1)).toEqual([
      'repo:acme/xxxxxxxxx…:ref:refs/heads/main',
      '(cells cut: --wide, --json)',
      '',
    ]);
    expect(fittedTable(result, 100).split('\n')[2]).toBe(
      '(cells cut to fit 100 columns: --wide for the full width, --json for the values)',
    );
    expect(fittedTable(result, 100, { values: 'its command with --json' }).split('\n')[2]).toBe(
      '(cells cut to fit 100 columns: --wide for the full width, its command with --json for the values)',
    );
    expect(fittedTable(result, 400)).not.toContain('cells cut');
    expect(fittedTable(result, null)).not.toContain('…');
  });
});
