/**
 * Characters that change what a terminal shows rather than showing themselves: C0 and C1 controls
 * (ANSI escape sequences start with ESC or CSI), DEL, line and paragraph separators, bidirectional
 * overrides and isolates (which can reorder a line, "Trojan Source"), and zero-width characters.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/**
 * Attacker-controlled text (OIDC subjects, session names, error messages) made inert for a terminal
 * or a log line: every unsafe character is shown as a visible `\u001b`-style escape instead.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
