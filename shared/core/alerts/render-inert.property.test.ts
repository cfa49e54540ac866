import fc from 'fast-check';
import { terminalSafe } from '../render/terminal-safe.js';
import { type Alert, SEVERITIES } from './alert.js';
import {
  ELLIPSIS,
  inertAlert,
  inertRepeat,
  isInert,
  LONG_CAP,
  type RenderOptions,
  VALUE_CAP,
} from './inert-text.js';
import { GOOGLE_CHAT_LIMITS, type GoogleChatMessage, renderGoogleChat } from './render-google-chat.js';
import { renderSlack, SLACK_LIMITS, type SlackMessage, type SlackText } from './render-slack.js';
import { renderTeams, TEAMS_LIMITS, type TeamsMessage } from './render-teams.js';

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

/** Pieces that grow most when escaped or encoded, or that a cut could split. */
const EXPANDING = [
  '<&>',
  '&amp;',
  '&lt;',
  '"',
  "'",
  '\\',
  '`',
  '😀',
  '\u202e',
  '\u200b',
  '\n',
  '\ud800',
  'é',
  'x',
];

const untrusted = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(...HOSTILE),
  fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 4 })))
    .map((parts) => parts.join('')),
  fc.string({ unit: 'binary', minLength: VALUE_CAP - 10, maxLength: LONG_CAP + 200 }),
  fc.array(fc.constantFrom(...EXPANDING), { minLength: 100, maxLength: 3000 }).map((parts) => parts.join('')),
  fc.constantFrom(...EXPANDING).map((piece) => piece.repeat(2000)),
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

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** The inert text of every part of an alert, as a renderer receives it: what any shown text must come from. */
function inertOriginals(alert: Alert, options: RenderOptions): string[] {
  const shown = inertAlert(alert);
  const repeat = inertRepeat(alert, options.previousCount);
  return [
    shown.summary,
    ...shown.fields.map((field) => field.value),
    shown.runbook,
    shown.query,
    shown.footer,
    repeat.summary,
    repeat.detail,
    `${repeat.summary}\n${repeat.detail}`,
    `${repeat.summary}: ${repeat.detail}`,
  ];
}

/** Nothing mangled, only cut: the text is an original, or a prefix of one followed by the ellipsis. */
function expectCutFrom(text: string, originals: readonly string[]): void {
  const kept = text.endsWith(ELLIPSIS) ? text.slice(0, -ELLIPSIS.length) : undefined;
  expect(
    originals.some((original) => original === text || (kept !== undefined && original.startsWith(kept))),
  ).toBe(true);
}

function checkSlack(message: SlackMessage, originals: readonly string[]): void {
  // The notification text is mrkdwn: no raw `<`/`>` (no mention, link or date), `&` only in our escapes.
  expect(message.text).not.toMatch(/[<>]/);
  expect(entitiesAreOurs(message.text, ['&amp;', '&lt;', '&gt;'])).toBe(true);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
  expectCutFrom(decodeHtml(message.text), originals);
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  const texts: { text: SlackText; max: number }[] = [];
  for (const block of message.blocks) {
    if (block.type === 'header') texts.push({ text: block.text, max: SLACK_LIMITS.headerText });
    else if (block.type === 'context') {
      expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      texts.push(...block.elements.map((text) => ({ text, max: SLACK_LIMITS.sectionText })));
    } else if ('fields' in block) {
      expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldsPerSection);
      block.fields.forEach((field, index) => {
        // Pairs: our label in mrkdwn, then the value in plain text.
        expect(field.type).toBe(index % 2 === 0 ? 'mrkdwn' : 'plain_text');
        texts.push({ text: field, max: SLACK_LIMITS.fieldText });
      });
    } else texts.push({ text: block.text, max: SLACK_LIMITS.sectionText });
  }
  for (const { text, max } of texts) {
    expect(text.text.length).toBeGreaterThan(0);
    // Limits hold after escaping, in UTF-16 code units (never fewer than Slack's characters).
    expect(text.text.length).toBeLessThanOrEqual(max);
    if (text.type === 'plain_text') {
      // Slack parses `&`, `<`, `>` in plain_text too; nothing invisible, no `:emoji:`.
      expect(text.emoji).toBe(false);
      expect(text.text).not.toMatch(/[<>]/);
      expect(entitiesAreOurs(text.text, ['&amp;', '&lt;', '&gt;'])).toBe(true);
      expect(isInert(text.text, { multiline: true })).toBe(true);
      expectCutFrom(decodeHtml(text.text), originals);
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
        expectCutFrom(decodeHtml(inside), originals);
      }
    }
  }
}

/** Markup we write around card text; what is inside must be escaped text. */
const CARD_WRAPPERS = [
  /^<b>(?<first>.*)<\/b><br>(?<second>.*)$/s,
  /^<b>(?<first>.*)<\/b>$/s,
  /^<font color="#80868b">(?<first>.*)<\/font>$/s,
];

function checkGoogleChat(message: GoogleChatMessage, alert: Alert, originals: readonly string[]): void {
  // No `text` field: Chat's message markup would turn `<users/all>` into a mention.
  expect(Object.keys(message).sort()).toEqual(['cardsV2', 'fallbackText', 'thread']);
  expect(message.fallbackText).toMatch(/^tokentrail: [A-Z]+ alert( again)?$/);
  const key = message.thread.threadKey;
  expect(key.length).toBeLessThanOrEqual(4000);
  expectCutFrom(key, [alert.alert_id]);
  expect(jsonBytes(message)).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.messageBytes);
  const { header, sections } = message.cardsV2[0].card;
  expect(header.title).toMatch(/^[A-Z]+ alert( again)?$/);
  expect(header.subtitle).toBe('tokentrail');
  expect(sections.flatMap((section) => section.widgets).length).toBeLessThanOrEqual(
    GOOGLE_CHAT_LIMITS.widgetsPerCard,
  );
  for (const section of sections) {
    if (section.header !== undefined) expect(['Runbook', 'Investigate']).toContain(section.header);
    for (const widget of section.widgets) {
      let html: string;
      if ('decoratedText' in widget) {
        expect(LABELS).toContain(widget.decoratedText.topLabel);
        html = widget.decoratedText.text;
      } else html = widget.textParagraph.text;
      const match = CARD_WRAPPERS.map((wrapper) => wrapper.exec(html)).find((found) => found !== null);
      const parts = match ? Object.values(match.groups!).filter((part) => part !== undefined) : [html];
      for (const part of parts) {
        // Line breaks of a runbook are our `<br>`; anything else must be escaped text.
        const escaped = part.replaceAll('<br>', '\n');
        expect(escaped).not.toMatch(/[<>"']/);
        expect(entitiesAreOurs(escaped, ['&amp;', '&lt;', '&gt;', '&quot;', '&#39;'])).toBe(true);
        const text = decodeHtml(escaped);
        expect(isInert(text, { multiline: true })).toBe(true);
        expectCutFrom(text, originals);
      }
    }
  }
}

function checkTeams(message: TeamsMessage, originals: readonly string[]): void {
  // A mention needs an entity declared next to the card; none may ever be.
  expect(JSON.stringify(message)).not.toContain('"entities"');
  expect(jsonBytes(message)).toBeLessThanOrEqual(TEAMS_LIMITS.messageBytes);
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
    }
    const [first, second] = element.inlines;
    if (second) {
      expect(LABELS.map((label) => `${label}: `)).toContain(first!.text);
      expectCutFrom(second.text, originals);
    } else expectCutFrom(first!.text, originals);
  }
}

describe('untrusted text in every field renders inert', () => {
  it('in Slack', () => {
    fc.assert(
      fc.property(alerts, renderOptions, (alert, options) =>
        checkSlack(renderSlack(alert, options), inertOriginals(alert, options)),
      ),
    );
  });

  it('in Google Chat', () => {
    fc.assert(
      fc.property(alerts, renderOptions, (alert, options) =>
        checkGoogleChat(renderGoogleChat(alert, options), alert, inertOriginals(alert, options)),
      ),
    );
  });

  it('in Teams', () => {
    fc.assert(
      fc.property(alerts, renderOptions, (alert, options) =>
        checkTeams(renderTeams(alert, options), inertOriginals(alert, options)),
      ),
    );
  });

  it.each([
    ...HOSTILE.map((hostile) => [terminalSafe(hostile), hostile]),
    // The largest expansions: an entity or six bytes of HTML per character, four bytes per emoji.
    ['400 × <&>', '<&>'.repeat(400)],
    ['5,000 double quotes', '"'.repeat(5000)],
    ['5,000 backslashes', '\\'.repeat(5000)],
    ['5,000 emoji', '😀'.repeat(5000)],
    ['5,000 right-to-left overrides', '\u202e'.repeat(5000)],
    ['1,000 × &amp;', '&amp;'.repeat(1000)],
  ])('with %s in every field, in every channel', (_, hostile) => {
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
      const originals = inertOriginals(alert, { repeat });
      checkSlack(renderSlack(alert, { repeat }), originals);
      checkGoogleChat(renderGoogleChat(alert, { repeat }), alert, originals);
      checkTeams(renderTeams(alert, { repeat }), originals);
    }
  });

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
