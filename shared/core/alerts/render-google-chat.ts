import type { Alert } from './alert.js';
import { htmlEscape, inertAlert, inertRepeat, type RenderOptions } from './inert-text.js';

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

const CARD_ID = 'tokentrail-alert';

const paragraph = (html: string): GoogleChatWidget => ({ textParagraph: { text: html } });
/** Untrusted text as card HTML, line breaks kept as `<br>`. */
const html = (text: string): string => text.split('\n').map(htmlEscape).join('<br>');

function message(alert: Alert, title: string, sections: readonly GoogleChatSection[]): GoogleChatMessage {
  return {
    fallbackText: `tokentrail: ${title}`,
    thread: { threadKey: alert.alert_id },
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
    { header: 'Runbook', widgets: [paragraph(html(shown.runbook))] },
    { header: 'Investigate', widgets: [paragraph(html(shown.query))] },
    footer,
  ]);
}
