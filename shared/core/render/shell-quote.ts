/**
 * One POSIX shell word, whatever the text: single quotes, with each embedded quote closed, escaped
 * and reopened. Used for the ready-to-paste investigate command, which carries untrusted values.
 */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
