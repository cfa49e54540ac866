const REGEX_SPECIAL = /[\\^$.|+()[\]{}]/g;

/**
 * A shell-style glob (`*` any run, `?` one character, everything else literal) as an anchored
 * RE2 pattern. DuckDB and BigQuery both match with RE2, so one pattern serves both stores and
 * reaches SQL only as a query parameter.
 */
export function globToRegex(glob: string): string {
  let pattern = '';
  for (const char of glob) {
    if (char === '*') pattern += '.*';
    else if (char === '?') pattern += '.';
    else pattern += char.replace(REGEX_SPECIAL, '\\$&');
  }
  return `^${pattern}$`;
}
