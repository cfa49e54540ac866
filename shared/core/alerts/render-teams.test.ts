import type { Alert } from './alert.js';
import { renderTeams, TEAMS_LIMITS } from './render-teams.js';

const ALERT: Alert = {
  alert_id: 'beef',
  rule: 'unexpected-bucket',
  severity: 'medium',
  title: 'Subject read a bucket it never read before',
  principal: 'deploy@acme-prod.iam.gserviceaccount.com',
  subject: '[x](https://evil.example) **bold** <at>everyone</at>',
  identity_provider: 'https://token.actions.githubusercontent.com',
  audience: 'sts.amazonaws.com',
  resource: 'arn:aws:s3:::acme-prod-secrets',
  source_ip: null,
  count: 1,
  first_seen: '2025-03-03T12:00:00.000000Z',
  last_seen: '2025-03-03T12:00:00.000000Z',
  event_ids: ['e1'],
  runbook: '- Ask the owner.\n# Rotate if needed.',
  query:
    "tokentrail query principals --subject '[x](https://evil.example) **bold** <at>everyone</at>' --since 30d",
};

const card = (body: unknown[]) => ({
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        msteams: { width: 'Full' },
        body,
      },
    },
  ],
});
const field = (label: string, value: string) => ({
  type: 'RichTextBlock',
  inlines: [
    { type: 'TextRun', text: `${label}: `, weight: 'Bolder' },
    { type: 'TextRun', text: value },
  ],
});
const FOOTER = {
  type: 'RichTextBlock',
  inlines: [{ type: 'TextRun', text: 'rule unexpected-bucket · alert beef', size: 'Small', isSubtle: true }],
};

describe('renderTeams', () => {
  it('renders an Adaptive Card with every untrusted value in a TextRun, which shows text as is', () => {
    expect(renderTeams(ALERT)).toEqual(
      card([
        { type: 'TextBlock', text: 'MEDIUM alert', weight: 'Bolder', color: 'Warning', wrap: true },
        {
          type: 'RichTextBlock',
          inlines: [
            {
              type: 'TextRun',
              text: '[MEDIUM] Subject read a bucket it never read before',
              weight: 'Bolder',
              size: 'Medium',
            },
          ],
        },
        field('Subject', '[x](https://evil.example) **bold** <at>everyone</at>'),
        field('Principal', 'deploy@acme-prod.iam.gserviceaccount.com'),
        field('Identity provider', 'https://token.actions.githubusercontent.com'),
        field('Audience', 'sts.amazonaws.com'),
        field('Resource', 'arn:aws:s3:::acme-prod-secrets'),
        field('Source IP', '(none)'),
        field('Count', '1'),
        field('First seen', '2025-03-03 12:00:00 UTC'),
        field('Last seen', '2025-03-03 12:00:00 UTC'),
        { type: 'TextBlock', text: 'Runbook', weight: 'Bolder', wrap: true },
        {
          type: 'RichTextBlock',
          inlines: [{ type: 'TextRun', text: '- Ask the owner.\n# Rotate if needed.' }],
        },
        { type: 'TextBlock', text: 'Investigate', weight: 'Bolder', wrap: true },
        {
          type: 'RichTextBlock',
          inlines: [
            {
              type: 'TextRun',
              text: "tokentrail query principals --subject '[x](https://evil.example) **bold** <at>everyone</at>' --since 30d",
              fontType: 'Monospace',
            },
          ],
        },
        FOOTER,
      ]),
    );
  });

  it('never declares a mention entity', () => {
    expect(JSON.stringify(renderTeams(ALERT))).not.toContain('entities');
  });

  it('keeps a message with four-byte characters in every field under the 28 KB limit', () => {
    const widest = '😀'.repeat(5000);
    const alert: Alert = {
      ...ALERT,
      alert_id: widest,
      rule: widest,
      title: widest,
      principal: widest,
      subject: widest,
      identity_provider: widest,
      audience: widest,
      resource: widest,
      source_ip: widest,
      first_seen: widest,
      last_seen: widest,
      runbook: widest,
      query: widest,
    };
    const size = Buffer.byteLength(JSON.stringify(renderTeams(alert)));
    expect(size).toBeLessThanOrEqual(TEAMS_LIMITS.messageBytes);
    // Text runs show `<&>` as typed: nothing to escape, so nothing grows.
    const runs = renderTeams({ ...ALERT, subject: '<&>'.repeat(400) }).attachments[0].content.body[2];
    expect(runs).toEqual(field('Subject', `${'<&>'.repeat(66)}<…`));
  });

  it('posts a repeat as a short card', () => {
    expect(renderTeams({ ...ALERT, count: 4 }, { repeat: true, previousCount: 1 })).toEqual(
      card([
        { type: 'TextBlock', text: 'MEDIUM alert again', weight: 'Bolder', color: 'Warning', wrap: true },
        {
          type: 'RichTextBlock',
          inlines: [
            {
              type: 'TextRun',
              text: '[MEDIUM] again: Subject read a bucket it never read before',
              weight: 'Bolder',
            },
          ],
        },
        {
          type: 'RichTextBlock',
          inlines: [{ type: 'TextRun', text: '3 more (4 in total), last seen 2025-03-03 12:00:00 UTC' }],
        },
        FOOTER,
      ]),
    );
  });
});
