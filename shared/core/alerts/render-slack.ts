import type { Alert } from './alert.js';
import { type InertField, inertAlert, inertRepeat, type RenderOptions, slackEscape } from './inert-text.js';

/**
 * Slack incoming-webhook messages (Block Kit). Untrusted text goes only into `plain_text` objects,
 * which Slack shows as typed: no mrkdwn, no mentions, no `<…>` links (`emoji: false` also keeps
 * `:shortcode:` literal). mrkdwn carries our labels and the investigate command as a code block, with
 * `&`, `<`, `>` escaped and `verbatim: true` so Slack adds no links of its own.
 * https://docs.slack.dev/reference/block-kit/composition-objects/text-object
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 * Incoming webhooks return no message timestamp, so a repeat cannot thread: it is a short new message.
 */
export interface SlackPlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji: false;
}

export interface SlackMrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
  readonly verbatim: true;
}

export type SlackText = SlackPlainText | SlackMrkdwn;

export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackPlainText }
  | { readonly type: 'section'; readonly text: SlackText }
  | { readonly type: 'section'; readonly fields: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] };

export interface SlackMessage {
  /** The notification and screen-reader text; Slack parses it as mrkdwn, so it is escaped. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** A section holds at most 10 fields: five label/value pairs. */
const PAIRS_PER_SECTION = 5;

const plain = (text: string): SlackPlainText => ({ type: 'plain_text', text, emoji: false });
/** Only for text we write; untrusted text never goes through here unescaped. */
const mrkdwn = (text: string): SlackMrkdwn => ({ type: 'mrkdwn', text, verbatim: true });
const label = (text: string): SlackMrkdwn => mrkdwn(`*${text}*`);

function fieldSections(fields: readonly InertField[]): SlackBlock[] {
  const sections: SlackBlock[] = [];
  for (let start = 0; start < fields.length; start += PAIRS_PER_SECTION) {
    const pairs = fields.slice(start, start + PAIRS_PER_SECTION);
    sections.push({
      type: 'section',
      fields: pairs.flatMap((field) => [label(field.label), plain(field.value)]),
    });
  }
  return sections;
}

/**
 * A monospace block when the command allows one. A backtick could close the fence and turn the
 * rest into live mrkdwn, so such a command (nothing we build has one) is shown as plain text instead.
 */
function commandBlock(query: string): SlackBlock {
  return query.includes('`')
    ? { type: 'section', text: plain(query) }
    : { type: 'section', text: mrkdwn(`\`\`\`${slackEscape(query)}\`\`\``) };
}

export function renderSlack(alert: Alert, options: RenderOptions = {}): SlackMessage {
  const shown = inertAlert(alert);
  const footer: SlackBlock = { type: 'context', elements: [plain(shown.footer)] };
  if (options.repeat) {
    const repeat = inertRepeat(alert, options.previousCount);
    return {
      text: slackEscape(`${repeat.summary}: ${repeat.detail}`),
      blocks: [{ type: 'section', text: plain(`${repeat.summary}\n${repeat.detail}`) }, footer],
    };
  }
  return {
    text: slackEscape(shown.summary),
    blocks: [
      { type: 'header', text: plain(shown.summary) },
      ...fieldSections(shown.fields),
      { type: 'section', text: label('Runbook') },
      { type: 'section', text: plain(shown.runbook) },
      { type: 'section', text: label('Investigate') },
      commandBlock(shown.query),
      footer,
    ],
  };
}
