import type { Alert } from './alert.js';
import { renderSlack, type SlackText } from './render-slack.js';

const ALERT: Alert = {
  alert_id: 'a1b2c3',
  rule: 'new-subject-for-role',
  severity: 'high',
  title: 'New subject assumed role deploy',
  principal: 'arn:aws:iam::123456789012:role/deploy',
  subject: 'repo:acme/app:ref:refs/heads/<!channel>',
  identity_provider: 'token.actions.githubusercontent.com',
  audience: 'sts.amazonaws.com',
  resource: null,
  source_ip: '203.0.113.7',
  count: 3,
  first_seen: '2025-03-01T10:00:00.000000Z',
  last_seen: '2025-03-01T10:05:00.000000Z',
  event_ids: ['e1', 'e2', 'e3'],
  runbook: 'Check the *workflow* run.\nRevoke the trust if unexpected.',
  query: "tokentrail query principals --subject 'repo:acme/app:ref:refs/heads/<!channel>' --since 30d",
};

const plain = (text: string) => ({ type: 'plain_text', text, emoji: false });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

describe('renderSlack', () => {
  it('renders an alert as Block Kit with every untrusted value escaped in plain_text', () => {
    expect(renderSlack(ALERT)).toEqual({
      text: '[HIGH] New subject assumed role deploy',
      blocks: [
        { type: 'header', text: plain('[HIGH] New subject assumed role deploy') },
        {
          type: 'section',
          fields: [
            mrkdwn('*Subject*'),
            plain('repo:acme/app:ref:refs/heads/&lt;!channel&gt;'),
            mrkdwn('*Principal*'),
            plain('arn:aws:iam::123456789012:role/deploy'),
            mrkdwn('*Identity provider*'),
            plain('token.actions.githubusercontent.com'),
            mrkdwn('*Audience*'),
            plain('sts.amazonaws.com'),
            mrkdwn('*Resource*'),
            plain('(none)'),
          ],
        },
        {
          type: 'section',
          fields: [
            mrkdwn('*Source IP*'),
            plain('203.0.113.7'),
            mrkdwn('*Count*'),
            plain('3'),
            mrkdwn('*First seen*'),
            plain('2025-03-01 10:00:00 UTC'),
            mrkdwn('*Last seen*'),
            plain('2025-03-01 10:05:00 UTC'),
          ],
        },
        { type: 'section', text: mrkdwn('*Runbook*') },
        { type: 'section', text: plain('Check the *workflow* run.\nRevoke the trust if unexpected.') },
        { type: 'section', text: mrkdwn('*Investigate*') },
        {
          type: 'section',
          text: mrkdwn(
            "```tokentrail query principals --subject 'repo:acme/app:ref:refs/heads/&lt;!channel&gt;' --since 30d```",
          ),
        },
        { type: 'context', elements: [plain('rule new-subject-for-role · alert a1b2c3')] },
      ],
    });
  });

  it('escapes the notification text, which Slack parses as mrkdwn', () => {
    expect(renderSlack({ ...ALERT, title: 'ping <!here> & <@U123>' }).text).toBe(
      '[HIGH] ping &lt;!here&gt; &amp; &lt;@U123&gt;',
    );
  });

  it('shows a command holding a backtick as plain text, since it could close the code fence', () => {
    const blocks = renderSlack({ ...ALERT, query: 'tokentrail query x ```*live*```' }).blocks;
    expect(blocks.at(-2)).toEqual({ type: 'section', text: plain('tokentrail query x ```*live*```') });
  });

  it('escapes a subject of 400 × `<&>` in every text object and keeps each within its limit', () => {
    const subject = '<&>'.repeat(400);
    const message = renderSlack({
      ...ALERT,
      title: `New subject ${subject} assumed role deploy`,
      subject,
      query: `tokentrail query principals --subject '${subject}' --since 30d`,
    });
    const texts: SlackText[] = [];
    for (const block of message.blocks) {
      if (block.type === 'header') {
        expect(block.text.text.length).toBeLessThanOrEqual(150);
        texts.push(block.text);
      } else if (block.type === 'context') texts.push(...block.elements);
      else if ('fields' in block) {
        for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(2000);
        texts.push(...block.fields);
      } else {
        expect(block.text.text.length).toBeLessThanOrEqual(3000);
        texts.push(block.text);
      }
    }
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    for (const text of [message.text, ...texts.map((object) => object.text)]) {
      expect(text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
    }
    const section = message.blocks.at(-2)!;
    // Escaped whole, the command would be 4,206 characters; it is cut after escaping, between entities.
    expect(section).toEqual({
      type: 'section',
      text: mrkdwn(`\`\`\`tokentrail query principals --subject '${'&lt;&amp;&gt;'.repeat(227)}…\`\`\``),
    });
    expect(texts[2]!.text).toBe(`${'&lt;&amp;&gt;'.repeat(66)}&lt;…`);
  });

  it('posts a repeat as a short follow-up', () => {
    expect(renderSlack({ ...ALERT, count: 5 }, { repeat: true, previousCount: 3 })).toEqual({
      text: '[HIGH] again: New subject assumed role deploy: 2 more (5 in total), last seen 2025-03-01 10:05:00 UTC',
      blocks: [
        {
          type: 'section',
          text: plain(
            '[HIGH] again: New subject assumed role deploy\n2 more (5 in total), last seen 2025-03-01 10:05:00 UTC',
          ),
        },
        { type: 'context', elements: [plain('rule new-subject-for-role · alert a1b2c3')] },
      ],
    });
    expect(renderSlack(ALERT, { repeat: true }).blocks[0]).toEqual({
      type: 'section',
      text: plain(
        '[HIGH] again: New subject assumed role deploy\n3 in total, last seen 2025-03-01 10:05:00 UTC',
      ),
    });
  });
});
