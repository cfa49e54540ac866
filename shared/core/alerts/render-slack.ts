import type { Alert } from './alert.js';
import {
  escapeWithin,
  type InertField,
  inertAlert,
  inertRepeat,
  type RenderOptions,
  slackEscape,
} from './inert-text.js';

/**
 * Slack incoming-webhook messages (Block Kit). Untrusted text goes only into `plain_text` objects,
 * which Slack shows without mrkdwn, mentions or `<…>` links (`emoji: false` also keeps `:shortcode:`
 * literal). Slack parses `&`, `<` and `>` as control characters in every text object, plain_text
 * included, so every text is escaped. mrkdwn carries our labels and the investigate command as a code
 * block, with `verbatim: true` so Slack adds no links of its own.
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

/**
 * Slack's limits, in characters after escaping; Slack refuses the whole message when one is exceeded.
 * Counted here in UTF-16 code units, never fewer than code points. Blocks per message (50), fields
 * per section (10) and elements per context block (10) are far above what we send.
 * https://docs.slack.dev/reference/block-kit/blocks/header-block (text: 150)
 * https://docs.slack.dev/reference/block-kit/blocks/section-block (text: 3,000; fields: 10 × 2,000)
 * https://docs.slack.dev/reference/block-kit/blocks/context-block (elements: 10)
 * https://docs.slack.dev/reference/block-kit/blocks (50 blocks per message)
 * https://api.slack.com/changelog/2018-04-truncating-really-long-messages (`text` cut past 40,000)
 */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fieldsPerSection: 10,
  contextElements: 10,
  blocks: 50,
  messageText: 40_000,
} as const;

/** A section holds at most 10 fields: five label/value pairs. */
const PAIRS_PER_SECTION = SLACK_LIMITS.fieldsPerSection / 2;
const FENCE = '```';

/** Untrusted (already inert) text, escaped and cut to `max` after escaping. */
const plain = (text: string, max: number): SlackPlainText => ({
  type: 'plain_text',
  text: escapeWithin(text, slackEscape, max),
  emoji: false,
});
/** Only for text we write; untrusted text never goes through here unescaped. */
const mrkdwn = (text: string): SlackMrkdwn => ({ type: 'mrkdwn', text, verbatim: true });
const label = (text: string): SlackMrkdwn => mrkdwn(`*${text}*`);

function fieldSections(fields: readonly InertField[]): SlackBlock[] {
  const sections: SlackBlock[] = [];
  for (let start = 0; start < fields.length; start += PAIRS_PER_SECTION) {
    const pairs = fields.slice(start, start + PAIRS_PER_SECTION);
    sections.push({
      type: 'section',
      fields: pairs.flatMap((field) => [label(field.label), plain(field.value, SLACK_LIMITS.fieldText)]),
    });
  }
  return sections;
}

/**
 * A monospace block when the command allows one. A backtick could close the fence and turn the
 * rest into live mrkdwn, so such a command (nothing we build has one) is shown as plain text instead.
 */
function commandBlock(query: string): SlackBlock {
  if (query.includes('`')) return { type: 'section', text: plain(query, SLACK_LIMITS.sectionText) };
  const inside = escapeWithin(query, slackEscape, SLACK_LIMITS.sectionText - 2 * FENCE.length);
  return { type: 'section', text: mrkdwn(`${FENCE}${inside}${FENCE}`) };
}

export function renderSlack(alert: Alert, options: RenderOptions = {}): SlackMessage {
  const shown = inertAlert(alert);
  const footer: SlackBlock = { type: 'context', elements: [plain(shown.footer, SLACK_LIMITS.sectionText)] };
  if (options.repeat) {
    const repeat = inertRepeat(alert, options.previousCount);
    return {
      text: escapeWithin(`${repeat.summary}: ${repeat.detail}`, slackEscape, SLACK_LIMITS.messageText),
      blocks: [
        { type: 'section', text: plain(`${repeat.summary}\n${repeat.detail}`, SLACK_LIMITS.sectionText) },
        footer,
      ],
    };
  }
  return {
    text: escapeWithin(shown.summary, slackEscape, SLACK_LIMITS.messageText),
    blocks: [
      { type: 'header', text: plain(shown.summary, SLACK_LIMITS.headerText) },
      ...fieldSections(shown.fields),
      { type: 'section', text: label('Runbook') },
      { type: 'section', text: plain(shown.runbook, SLACK_LIMITS.sectionText) },
      { type: 'section', text: label('Investigate') },
      commandBlock(shown.query),
      footer,
    ],
  };
}
