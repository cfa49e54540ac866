import { execFileSync } from 'node:child_process';
import { rawEventCommand } from './raw-event.js';

describe('rawEventCommand', () => {
  it('names the store and the event in one SQL literal inside one shell word', () => {
    expect(rawEventCommand('duckdb:.tokentrail/demo.duckdb', 'abc-1')).toBe(
      `tokentrail query sql --store duckdb:.tokentrail/demo.duckdb 'SELECT raw FROM events WHERE event_id = '\\''abc-1'\\'''`,
    );
  });

  it('a hostile id stays one argument and one SQL string', () => {
    const id = `x' OR 1=1; --$(touch pwned)\`id\`"`;
    const command = rawEventCommand('duckdb:stores/a b.duckdb', id);
    // The shell hands the SQL over as one argument, the quote doubled inside the literal.
    const args = execFileSync('sh', ['-c', `printf '%s\\n' ${command.replace(/^tokentrail /, '')}`], {
      encoding: 'utf8',
      timeout: 5000,
    })
      .trimEnd()
      .split('\n');
    expect(args).toEqual([
      'query',
      'sql',
      '--store',
      'duckdb:stores/a b.duckdb',
      `SELECT raw FROM events WHERE event_id = 'x'' OR 1=1; --$(touch pwned)\`id\`"'`,
    ]);
  });
});
