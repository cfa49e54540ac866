import fc from 'fast-check';
import { terminalSafe } from '../render/terminal-safe.js';
import { type Alert, SEVERITIES } from './alert.js';
import { FOOTER_PART_CAP, isInert, LONG_CAP, TITLE_CAP, VALUE_CAP } from './inert-text.js';
import { type GoogleChatMessage, renderGoogleChat } from './render-google-chat.js';
import { renderSlack, type SlackMessage, type SlackText } from './render-slack.js';
import { renderTeams, type TeamsMessage } from './render-teams.js';

/**
 * For any text in any field of an alert, each channel's payload holds nothing its service would
 * interpret: the checks below are written as "what would Slack / Google Chat / Teams act on here".
 */
const HOSTILE = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U123>',
  '<#C123>',
  '<!subteam^S123>',
  '<!date^1392734382^{date}|x>',
  '<https://evil.example|click>',
  '[x](https://evil.example)',
  '*bold* _it_ ~st~ `code` ```block```',
  '> quote',
  '<a href=x>y</a>',
  '<users/all>',
  '<users/123456789>',
  '<at>everyone</at>',
  '@everyone @here @channel',
  '&lt;!channel&gt; &amp;',
  '\u202eevil',
  '\u2066x\u2069',
  '\u001b[31mred',
  '\u0000\u0007\u0085',
  'a\r\nb\nc',
  '\u{e0041}\u{e0042}',
  '\ud800',
  'https://evil.example/path?q=1',
  ':smile: :rotating_light:',
  '{{DATE(2017-02-14T06:08:39Z, SHORT)}}',
  '# heading\n- item\n1. one',
];

const untrusted = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(...HOSTILE),
  fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 4 })))
    .map((parts) => parts.join('')),
  fc.string({ unit: 'binary', minLength: VALUE_CAP - 10, maxLength: LONG_CAP + 200 }),
);

const alerts: fc.Arbitrary<Alert> = fc.record({
  alert_id: untrusted,
  rule: untrusted,
  severity: fc.constantFrom(...SEVERITIES),
  title: untrusted,
  principal: fc.option(untrusted),
  subject: fc.option(untrusted),
  identity_provider: fc.option(untrusted),
  audience: fc.option(untrusted),
  resource: fc.option(untrusted),
  source_ip: fc.option(untrusted),
  count: fc.nat(),
  first_seen: untrusted,
  last_seen: untrusted,
  event_ids: fc.constant([]),
  runbook: untrusted,
  query: untrusted,
});

const renderOptions = fc.record({
  repeat: fc.boolean(),
  previousCount: fc.option(fc.nat(), { nil: undefined }),
});

const length = (text: string) => [...text].length;
const LABELS = [
  'Subject',
  'Principal',
  'Identity provider',
  'Audience',
  'Resource',
  'Source IP',
  'Count',
  'First seen',
  'Last seen',
];
const FOOTER_CAP = 2 * FOOTER_PART_CAP + 20;
const SUMMARY_CAP = TITLE_CAP + '[CRITICAL] again: '.length;
const DETAIL_CAP = VALUE_CAP + 80;

/** Only the entities we emit, every `&` part of one. */
function entitiesAreOurs(text: string, allowed: readonly string[]): boolean {
  return [...text.matchAll(/&/g)].every((match) =>
    allowed.some((entity) => text.startsWith(entity, match.index)),
  );
}

const decodeHtml = (text: string) =>
  text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

function checkSlack(message: SlackMessage): void {
  // The notification text is mrkdwn: no raw `<`/`>` (no mention, link or date), `&` only in our escapes.
  expect(message.text).not.toMatch(/[<>]/);
  expect(entitiesAreOurs(message.text, ['&amp;', '&lt;', '&gt;'])).toBe(true);
  expect(length(decodeHtml(message.text))).toBeLessThanOrEqual(SUMMARY_CAP + DETAIL_CAP);
  const texts: SlackText[] = [];
  for (const block of message.blocks) {
    if (block.type === 'header') {
      expect(length(block.text.text)).toBeLessThanOrEqual(150);
      texts.push(block.text);
    } else if (block.type === 'context') {
      for (const element of block.elements) expect(length(element.text)).toBeLessThanOrEqual(FOOTER_CAP);
      texts.push(...block.elements);
    } else if ('fields' in block) {
      expect(block.fields.length).toBeLessThanOrEqual(10);
      block.fields.forEach((field, index) => {
        // Pairs: our label in mrkdwn, then the value in plain text.
        expect(field.type).toBe(index % 2 === 0 ? 'mrkdwn' : 'plain_text');
        if (field.type === 'plain_text') expect(length(field.text)).toBeLessThanOrEqual(VALUE_CAP);
      });
      texts.push(...block.fields);
    } else texts.push(block.text);
  }
  for (const text of texts) {
    expect(text.text.length).toBeGreaterThan(0);
    expect(text.text.length).toBeLessThanOrEqual(3000);
    if (text.type === 'plain_text') {
      // Slack shows plain_text as typed; it must still carry nothing invisible, and no `:emoji:`.
      expect(text.emoji).toBe(false);
      expect(isInert(text.text, { multiline: true })).toBe(true);
      expect(length(text.text)).toBeLessThanOrEqual(LONG_CAP + SUMMARY_CAP);
    } else {
      // mrkdwn is ours: a bold label, or a code fence around escaped text with no backtick to close it.
      expect(text.verbatim).toBe(true);
      const label = /^\*([A-Za-z ]+)\*$/.exec(text.text);
      const code = /^```([^`]*)```$/.exec(text.text);
      expect(label !== null || code !== null).toBe(true);
      if (label) expect([...LABELS, 'Runbook', 'Investigate']).toContain(label[1]);
      if (code) {
        const inside = code[1]!;
        expect(inside).not.toMatch(/[<>\n]/);
        expect(entitiesAreOurs(inside, ['&amp;', '&lt;', '&gt;'])).toBe(true);
        expect(isInert(inside)).toBe(true);
        expect(length(decodeHtml(inside))).toBeLessThanOrEqual(LONG_CAP);
      }
    }
  }
}

/** Markup we write into card text; whatever is left must be escaped text. */
const OUR_TAGS = ['<b>', '</b>', '<br>', '<font color="#80868b">', '</font>'];

function checkGoogleChat(message: GoogleChatMessage, alert: Alert): void {
  // No `text` field: Chat's message markup would turn `<users/all>` into a mention.
  expect(Object.keys(message).sort()).toEqual(['cardsV2', 'fallbackText', 'thread']);
  expect(message.fallbackText).toMatch(/^tokentrail: [A-Z]+ alert( again)?$/);
  expect(message.thread).toEqual({ threadKey: alert.alert_id });
  const { header, sections } = message.cardsV2[0].card;
  expect(header.title).toMatch(/^[A-Z]+ alert( again)?$/);
  expect(header.subtitle).toBe('tokentrail');
  for (const section of sections) {
    if (section.header !== undefined) expect(['Runbook', 'Investigate']).toContain(section.header);
    for (const widget of section.widgets) {
      const html = 'textParagraph' in widget ? widget.textParagraph.text : widget.decoratedText.text;
      if ('decoratedText' in widget) {
        expect(LABELS).toContain(widget.decoratedText.topLabel);
        expect(length(decodeHtml(html))).toBeLessThanOrEqual(VALUE_CAP);
      }
      const escapedText = OUR_TAGS.reduce((rest, tag) => rest.replaceAll(tag, '\n'), html);
      expect(escapedText).not.toMatch(/[<>"']/);
      expect(entitiesAreOurs(escapedText, ['&amp;', '&lt;', '&gt;', '&quot;', '&#39;'])).toBe(true);
      const lines = decodeHtml(escapedText).split('\n');
      for (const line of lines) {
        expect(isInert(line)).toBe(true);
        expect(length(line)).toBeLessThanOrEqual(LONG_CAP);
      }
    }
  }
}

function checkTeams(message: TeamsMessage): void {
  // A mention needs an entity declared next to the card; none may ever be.
  expect(JSON.stringify(message)).not.toContain('"entities"');
  const { content } = message.attachments[0];
  expect(content.msteams).toEqual({ width: 'Full' });
  for (const element of content.body) {
    if (element.type === 'TextBlock') {
      // TextBlock text is Markdown: ours only.
      expect(element.text).toMatch(/^([A-Z]+ alert( again)?|Runbook|Investigate)$/);
      continue;
    }
    expect(element.type).toBe('RichTextBlock');
    for (const run of element.inlines) {
      expect(Object.keys(run)).not.toContain('selectAction');
      expect(isInert(run.text, { multiline: true })).toBe(true);
      expect(length(run.text)).toBeLessThanOrEqual(LONG_CAP);
    }
    const [first, second] = element.inlines;
    if (second) {
      expect(LABELS.map((label) => `${label}: `)).toContain(first!.text);
      expect(length(second.text)).toBeLessThanOrEqual(VALUE_CAP);
    }
  }
}

describe('untrusted text in every field renders inert', () => {
  it('in Slack', () => {
    fc.assert(
      fc.property(alerts, renderOptions, (alert, options) => checkSlack(renderSlack(alert, options))),
    );
  });

  it('in Google Chat', () => {
    fc.assert(
      fc.property(alerts, renderOptions, (alert, options) =>
        checkGoogleChat(renderGoogleChat(alert, options), alert),
      ),
    );
  });

  it('in Teams', () => {
    fc.assert(
      fc.property(alerts, renderOptions, (alert, options) => checkTeams(renderTeams(alert, options))),
    );
  });

  it.each(HOSTILE.map((hostile) => [terminalSafe(hostile), hostile]))(
    'with %s in every field, in every channel',
    (_, hostile) => {
      const alert: Alert = {
        alert_id: hostile,
        rule: hostile,
        severity: 'critical',
        title: hostile,
        principal: hostile,
        subject: hostile,
        identity_provider: hostile,
        audience: hostile,
        resource: hostile,
        source_ip: hostile,
        count: 2,
        first_seen: hostile,
        last_seen: hostile,
        event_ids: [],
        runbook: hostile,
        query: hostile,
      };
      for (const repeat of [false, true]) {
        checkSlack(renderSlack(alert, { repeat }));
        checkGoogleChat(renderGoogleChat(alert, { repeat }), alert);
        checkTeams(renderTeams(alert, { repeat }));
      }
    },
  );

  it('keeps an ordinary value exactly as it is', () => {
    const value = fc.stringMatching(/^[\w:/.@=,+-]{1,80}$/);
    fc.assert(
      fc.property(value, (subject) => {
        const alert: Alert = {
          alert_id: 'id',
          rule: 'rule',
          severity: 'low',
          title: 'title',
          principal: null,
          subject,
          identity_provider: null,
          audience: null,
          resource: null,
          source_ip: null,
          count: 1,
          first_seen: '2025-01-01T00:00:00.000000Z',
          last_seen: '2025-01-01T00:00:00.000000Z',
          event_ids: [],
          runbook: '',
          query: `tokentrail query principals --subject ${subject}`,
        };
        expect(JSON.stringify(renderSlack(alert))).toContain(JSON.stringify(subject));
        expect(JSON.stringify(renderTeams(alert))).toContain(JSON.stringify(subject));
        expect(JSON.stringify(renderGoogleChat(alert))).toContain(JSON.stringify(subject));
      }),
    );
  });
});
