/**
 * Characters that change how text is shown rather than showing themselves: C0 and C1 controls
 * (ANSI escape sequences start with ESC or CSI), DEL, soft hyphen, bidirectional marks, overrides
 * and isolates ("Trojan Source"), zero-width characters, line and paragraph separators, the BOM,
 * interlinear annotations and Unicode tag characters (invisible text, used to smuggle instructions
 * past a reader). One list for the terminal and for chat.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;
const HAS_INVISIBLE = new RegExp(INVISIBLE.source, 'u');

function visibleEscape(char: string): string {
  const code = char.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Attacker-controlled text (OIDC subjects, session names, error messages) made inert for a terminal,
 * a log line or a chat message: every invisible character is shown as a visible `\u001b`-style escape,
 * so it is neither obeyed nor hidden.
 */
export function terminalSafe(text: string): string {
  return text.replace(INVISIBLE, visibleEscape);
}

/** True when `terminalSafe` would leave the text as it is. */
export function hasNothingInvisible(text: string): boolean {
  return !HAS_INVISIBLE.test(text);
}
