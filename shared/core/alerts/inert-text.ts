import { hasNothingInvisible, terminalSafe } from '../render/terminal-safe.js';
import { CANONICAL_TIMESTAMP } from '../schema/validate-row.js';
import type { Alert, Severity } from './alert.js';
import { alertParties } from './alert-parties.js';

/**
 * Untrusted text made inert for chat messages. Every string of an `Alert` may be attacker-chosen (a
 * branch name in an OIDC subject can be `<!channel>`), so all of them pass through here: one place
 * decides what is shown, how long it may be, and which characters never reach a chat service. The
 * per-channel escapes below are the last step; each renderer puts untrusted text only where its
 * service shows text literally (or escaped for that service).
 */

/** Most values: a subject, a principal, a resource. */
export const VALUE_CAP = 200;
/** The summary line; Slack's header block takes 150 characters and the severity goes first. */
export const TITLE_CAP = 130;
/** The runbook and the investigate command: longer, but still bounded. */
export const LONG_CAP = 1000;
/** Rule and alert id, in the footer. */
export const FOOTER_PART_CAP = 100;
export const ELLIPSIS = '…';

/** Unpaired UTF-16 surrogates (in a `u` regex a well-formed pair is one code point, not `Cs`). */
const LONE_SURROGATE = /\p{Cs}/gu;

/** At most `max` code points; a cut value ends in an ellipsis so a reader knows there was more. */
export function capLength(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}${ELLIPSIS}`;
}

/**
 * Untrusted text as inert plain text: well-formed UTF-16, every invisible or control character shown
 * as a visible `\u001b`-style escape (so it is neither obeyed nor hidden), then capped. A multiline
 * value keeps its line breaks (CRLF and CR become LF); otherwise a line break is escaped too.
 */
export function inertText(text: string, max: number, options: { readonly multiline?: boolean } = {}): string {
  const wellFormed = text.replace(LONE_SURROGATE, '\ufffd');
  const lines = options.multiline ? wellFormed.replace(/\r\n?/g, '\n').split('\n') : [wellFormed];
  return capLength(lines.map(terminalSafe).join('\n'), max);
}

/** True when text holds nothing `inertText` would have escaped (line breaks allowed when multiline). */
export function isInert(text: string, options: { readonly multiline?: boolean } = {}): boolean {
  const lines = options.multiline ? text.split('\n') : [text];
  return lines.every((line) => hasNothingInvisible(line) && !/\p{Cs}/u.test(line));
}

/** How a channel measures text against its limits. */
export type Measure = (text: string) => number;

/** UTF-16 code units: never fewer than the code points a service may count instead. */
export const utf16Units: Measure = (text) => text.length;

/** Bytes of the text inside a JSON string, UTF-8 encoded: what a byte-limited payload carries. */
const UTF8 = new TextEncoder();
export const jsonUtf8Bytes: Measure = (text) => UTF8.encode(JSON.stringify(text)).length - 2;

/**
 * Escaped for a channel and within its limit, measured after escaping: an escape can make text six
 * times longer, and a service refuses the whole message when one text is too long. The text is
 * escaped one code point at a time and cut before the first that would not fit, so a cut never falls
 * inside an entity or a surrogate pair; a cut text ends in an ellipsis. `escapeText` must escape each
 * code point on its own (the escapes here do).
 */
export function escapeWithin(
  text: string,
  escapeText: (text: string) => string,
  max: number,
  measure: Measure = utf16Units,
): string {
  const whole = escapeText(text);
  if (measure(whole) <= max) return whole;
  const budget = max - measure(ELLIPSIS);
  let kept = '';
  let size = 0;
  for (const point of text) {
    const piece = escapeText(point);
    const pieceSize = measure(piece);
    if (size + pieceSize > budget) break;
    kept += piece;
    size += pieceSize;
  }
  return `${kept}${ELLIPSIS}`;
}

/**
 * Slack's own escaping: `&`, `<` and `>` are its control characters (mentions `<!channel>`, `<@U…>`,
 * links `<url|text>`, dates `<!date…>`); nothing else may be entity-encoded, Slack decodes only these.
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * For Google Chat card text, which is a limited HTML subset (`<b>`, `<a href>`, `<font>`, `<br>`…):
 * escaped, no tag or entity of ours can be formed from untrusted text.
 * https://developers.google.com/workspace/chat/format-messages ("Format text in cards")
 */
export function htmlEscape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

/** Canonical UTC timestamps to the second, for people; anything else shown inert. */
export function shownTime(value: string): string {
  return CANONICAL_TIMESTAMP.test(value)
    ? `${value.slice(0, 10)} ${value.slice(11, 19)} UTC`
    : shownValue(value);
}

/** Never empty: chat services reject empty text objects. */
function shownValue(value: string | null): string {
  if (value === null) return '(none)';
  return value === '' ? '(empty)' : inertText(value, VALUE_CAP);
}

export interface InertField {
  /** Ours: safe to format. */
  readonly label: string;
  /** Untrusted, already inert and capped: plain text, still to be escaped for the channel. */
  readonly value: string;
}

/** An alert's text, every untrusted part inert and capped; renderers only add markup and labels. */
export interface InertAlert {
  readonly severity: string;
  /** `[HIGH] what happened`, one line. */
  readonly summary: string;
  readonly fields: readonly InertField[];
  /** May hold line breaks; `(none)` when the rule has no runbook. */
  readonly runbook: string;
  /** The ready command to investigate, one line. */
  readonly query: string;
  /** `rule … · alert …` */
  readonly footer: string;
}

export function inertAlert(alert: Alert): InertAlert {
  const severity = SEVERITY_LABEL[alert.severity] ?? 'UNKNOWN';
  const parties = alertParties(alert);
  return {
    severity,
    summary: `[${severity}] ${inertText(alert.title, TITLE_CAP)}`,
    fields: [
      { label: 'Subject', value: shownValue(parties.subject) },
      { label: 'Principal', value: shownValue(parties.principal) },
      { label: 'Identity provider', value: shownValue(alert.identity_provider) },
      { label: 'Audience', value: shownValue(alert.audience) },
      { label: 'Resource', value: shownValue(alert.resource) },
      { label: 'Source IP', value: shownValue(alert.source_ip) },
      { label: 'Count', value: String(alert.count) },
      { label: 'First seen', value: shownTime(alert.first_seen) },
      { label: 'Last seen', value: shownTime(alert.last_seen) },
    ],
    runbook:
      alert.runbook.trim() === '' ? '(none)' : inertText(alert.runbook.trim(), LONG_CAP, { multiline: true }),
    query: alert.query === '' ? '(none)' : inertText(alert.query, LONG_CAP),
    footer: `rule ${inertText(alert.rule, FOOTER_PART_CAP)} · alert ${inertText(alert.alert_id, FOOTER_PART_CAP)}`,
  };
}

/** What a follow-up message needs: the incident was posted before, and this says what changed. */
export interface RenderOptions {
  /** Post a short follow-up for an incident already posted instead of the full alert. */
  readonly repeat?: boolean;
  /** The count the earlier message showed, so the follow-up can say how many are new. */
  readonly previousCount?: number;
}

/** `[HIGH] again: what happened` and `3 more (5 in total), last seen …`, inert. */
export function inertRepeat(alert: Alert, previousCount?: number): { summary: string; detail: string } {
  const severity = SEVERITY_LABEL[alert.severity] ?? 'UNKNOWN';
  const more =
    previousCount !== undefined && alert.count > previousCount
      ? `${alert.count - previousCount} more (${alert.count} in total)`
      : `${alert.count} in total`;
  return {
    summary: `[${severity}] again: ${inertText(alert.title, TITLE_CAP)}`,
    detail: `${more}, last seen ${shownTime(alert.last_seen)}`,
  };
}
