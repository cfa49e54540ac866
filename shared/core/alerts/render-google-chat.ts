import type { Alert } from './alert.js';
import {
  escapeWithin,
  htmlEscape,
  inertAlert,
  inertRepeat,
  jsonUtf8Bytes,
  type RenderOptions,
} from './inert-text.js';

/**
 * Google Chat incoming-webhook messages (cardsV2). Card text is a limited HTML subset (`<b>`, `<i>`,
 * `<u>`, `<s>`, `<font color>`, `<a href>`, `<br>`), so untrusted text is HTML-escaped and appears
 * only in widget text; the plain `text` field, which takes Chat's own markup (`*bold*`, `<users/all>`,
 * `<url|label>`), is not used, and the header and labels hold only our words.
 * https://developers.google.com/workspace/chat/format-messages
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/cards
 * Repeats thread: `thread.threadKey` is the alert id, and the delivery adds the query parameter
 * `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`.
 */
export type GoogleChatWidget =
  | { readonly textParagraph: { readonly text: string } }
  | { readonly decoratedText: { readonly topLabel: string; readonly text: string; readonly wrapText: true } };

export interface GoogleChatSection {
  readonly header?: string;
  readonly widgets: readonly GoogleChatWidget[];
}

export interface GoogleChatMessage {
  /** The notification text when a card cannot be shown: ours only. */
  readonly fallbackText: string;
  readonly thread: { readonly threadKey: string };
  readonly cardsV2: readonly [
    {
      readonly cardId: string;
      readonly card: {
        readonly header: { readonly title: string; readonly subtitle: string };
        readonly sections: readonly GoogleChatSection[];
      };
    },
  ];
}

/**
 * A message, text and cards, may hold at most 32,000 bytes (a card at most 32 KB, 100 widgets); no
 * per-widget text limit is documented. HTML escaping makes text up to six times longer, so each text
 * is cut after escaping to a byte budget (UTF-8, as it stands in the JSON body), and the budgets add
 * up to about 21,000 bytes, leaving room for the card's structure and the thread key.
 * https://developers.google.com/workspace/chat/create-messages ("maximum message size")
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/cards (100 widgets per card)
 */
export const GOOGLE_CHAT_LIMITS = { messageBytes: 32_000, widgetsPerCard: 100 } as const;
const BUDGET = { line: 1000, long: 5000 } as const;
/**
 * A thread key "supports up to 4000 characters"; ours are SHA-256 ids, far shorter, but an alert id
 * is a string like any other, so a longer one is cut (the same id always gives the same key).
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages#thread
 */
const THREAD_KEY_MAX_BYTES = 4000;

const CARD_ID = 'tokentrail-alert';

const paragraph = (html: string): GoogleChatWidget => ({ textParagraph: { text: html } });
const cardEscape = (text: string): string => text.split('\n').map(htmlEscape).join('<br>');
/** Untrusted (already inert) text as card HTML, line breaks kept as `<br>`, cut after escaping. */
const html = (text: string, maxBytes: number = BUDGET.line): string =>
  escapeWithin(text, cardEscape, maxBytes, jsonUtf8Bytes);

function message(alert: Alert, title: string, sections: readonly GoogleChatSection[]): GoogleChatMessage {
  return {
    fallbackText: `tokentrail: ${title}`,
    thread: { threadKey: escapeWithin(alert.alert_id, (key) => key, THREAD_KEY_MAX_BYTES, jsonUtf8Bytes) },
    cardsV2: [{ cardId: CARD_ID, card: { header: { title, subtitle: 'tokentrail' }, sections } }],
  };
}

export function renderGoogleChat(alert: Alert, options: RenderOptions = {}): GoogleChatMessage {
  const shown = inertAlert(alert);
  const footer: GoogleChatSection = {
    widgets: [paragraph(`<font color="#80868b">${html(shown.footer)}</font>`)],
  };
  if (options.repeat) {
    const repeat = inertRepeat(alert, options.previousCount);
    return message(alert, `${shown.severity} alert again`, [
      { widgets: [paragraph(`<b>${html(repeat.summary)}</b><br>${html(repeat.detail)}`)] },
      footer,
    ]);
  }
  return message(alert, `${shown.severity} alert`, [
    { widgets: [paragraph(`<b>${html(shown.summary)}</b>`)] },
    {
      widgets: shown.fields.map((field) => ({
        decoratedText: { topLabel: field.label, text: html(field.value), wrapText: true },
      })),
    },
    { header: 'Runbook', widgets: [paragraph(html(shown.runbook, BUDGET.long))] },
    { header: 'Investigate', widgets: [paragraph(html(shown.query, BUDGET.long))] },
    footer,
  ]);
}
