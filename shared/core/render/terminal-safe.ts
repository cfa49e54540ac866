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

/** `\uXXXX` for each UTF-16 unit of the character: a JSON string escape, surrogate pairs included. */
function jsonEscape(char: string): string {
  let escaped = '';
  for (let index = 0; index < char.length; index += 1) {
    escaped += `\\u${char.charCodeAt(index).toString(16).padStart(4, '0')}`;
  }
  return escaped;
}

/**
 * JSON for scripts that a terminal cannot be fooled by: JSON.stringify escapes C0 controls but
 * leaves bidi overrides, zero-width and C1 characters raw; these are written as `\u202e`-style
 * escapes too, so the text is still valid JSON that parses back to exactly the same value.
 */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(INVISIBLE, jsonEscape);
}
