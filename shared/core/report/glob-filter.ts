function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A page filter: `*` any run, `?` one character, anchored; an empty pattern matches everything.
 * Built here rather than from the queries' glob, whose output is RE2 text for the stores.
 */
export function globMatcher(pattern: string): (value: string | null) => boolean {
  const trimmed = pattern.trim();
  if (trimmed === '' || trimmed === '*') return () => true;
  const source = trimmed
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegex(char)))
    .join('');
  const regex = new RegExp(`^${source}$`, 'su');
  return (value) => value !== null && regex.test(value);
}
