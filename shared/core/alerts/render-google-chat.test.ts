import type { Alert } from './alert.js';
import { GOOGLE_CHAT_LIMITS, renderGoogleChat } from './render-google-chat.js';

const ALERT: Alert = {
  alert_id: 'f00d',
  rule: 'failed-exchange-burst',
  severity: 'critical',
  title: 'Token exchange failures from <users/all>',
  principal: null,
  subject: '<a href="https://evil.example">click</a>',
  identity_provider: 'https://token.actions.githubusercontent.com',
  audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gh',
  resource: 'projects/_/buckets/acme-prod',
  source_ip: '198.51.100.4',
  count: 12,
  first_seen: '2025-03-02T08:00:00.000000Z',
  last_seen: '2025-03-02T08:30:00.000000Z',
  event_ids: ['e1'],
  runbook: 'Find the caller.\nBlock it if unknown & <b>urgent</b>.',
  query: 'tokentrail query failures --since 7d',
};

const field = (topLabel: string, text: string) => ({ decoratedText: { topLabel, text, wrapText: true } });
const FOOTER = {
  widgets: [
    { textParagraph: { text: '<font color="#80868b">rule failed-exchange-burst · alert f00d</font>' } },
  ],
};

describe('renderGoogleChat', () => {
  it('renders an alert as a cardsV2 message threaded by alert id, untrusted text HTML-escaped', () => {
    expect(renderGoogleChat(ALERT)).toEqual({
      fallbackText: 'tokentrail: CRITICAL alert',
      thread: { threadKey: 'f00d' },
      cardsV2: [
        {
          cardId: 'tokentrail-alert',
          card: {
            header: { title: 'CRITICAL alert', subtitle: 'tokentrail' },
            sections: [
              {
                widgets: [
                  {
                    textParagraph: {
                      text: '<b>[CRITICAL] Token exchange failures from &lt;users/all&gt;</b>',
                    },
                  },
                ],
              },
              {
                widgets: [
                  field('Subject', '&lt;a href=&quot;https://evil.example&quot;&gt;click&lt;/a&gt;'),
                  field('Principal', '(none)'),
                  field('Identity provider', 'https://token.actions.githubusercontent.com'),
                  field(
                    'Audience',
                    '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gh',
                  ),
                  field('Resource', 'projects/_/buckets/acme-prod'),
                  field('Source IP', '198.51.100.4'),
                  field('Count', '12'),
                  field('First seen', '2025-03-02 08:00:00 UTC'),
                  field('Last seen', '2025-03-02 08:30:00 UTC'),
                ],
              },
              {
                header: 'Runbook',
                widgets: [
                  {
                    textParagraph: {
                      text: 'Find the caller.<br>Block it if unknown &amp; &lt;b&gt;urgent&lt;/b&gt;.',
                    },
                  },
                ],
              },
              {
                header: 'Investigate',
                widgets: [{ textParagraph: { text: 'tokentrail query failures --since 7d' } }],
              },
              FOOTER,
            ],
          },
        },
      ],
    });
  });

  it('keeps a message of 400 × `<&>` in every field under 32,000 bytes, cut after escaping', () => {
    const hostile = '<&>'.repeat(400);
    const alert: Alert = {
      ...ALERT,
      title: hostile,
      principal: hostile,
      subject: hostile,
      identity_provider: hostile,
      audience: hostile,
      resource: hostile,
      source_ip: hostile,
      runbook: hostile,
      query: `tokentrail query principals --subject '${hostile}' --since 30d`,
    };
    const message = renderGoogleChat(alert);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.messageBytes);
    const [, fields, runbook] = message.cardsV2[0].card.sections;
    // 200 code points escaped are 866 bytes, under the 1,000-byte budget of a value: shown whole.
    expect(fields!.widgets[0]).toEqual(field('Subject', `${'&lt;&amp;&gt;'.repeat(66)}&lt;…`));
    // 1,000 code points escaped would be 4,333 bytes; within 5,000, so the runbook is whole too.
    expect(runbook!.widgets[0]).toEqual({ textParagraph: { text: `${'&lt;&amp;&gt;'.repeat(333)}…` } });
  });

  it('cuts a value whose escaped form passes its byte budget, never inside an entity', () => {
    const message = renderGoogleChat({ ...ALERT, subject: '"'.repeat(400) });
    // 199 quotes escaped are 1,194 bytes: 166 entities (996 bytes) and the ellipsis fit in 1,000.
    expect(message.cardsV2[0].card.sections[1]!.widgets[0]).toEqual(
      field('Subject', `${'&quot;'.repeat(166)}…`),
    );
  });

  it('replies to the same thread on a repeat', () => {
    expect(renderGoogleChat({ ...ALERT, count: 20 }, { repeat: true, previousCount: 12 })).toEqual({
      fallbackText: 'tokentrail: CRITICAL alert again',
      thread: { threadKey: 'f00d' },
      cardsV2: [
        {
          cardId: 'tokentrail-alert',
          card: {
            header: { title: 'CRITICAL alert again', subtitle: 'tokentrail' },
            sections: [
              {
                widgets: [
                  {
                    textParagraph: {
                      text:
                        '<b>[CRITICAL] again: Token exchange failures from &lt;users/all&gt;</b>' +
                        '<br>8 more (20 in total), last seen 2025-03-02 08:30:00 UTC',
                    },
                  },
                ],
              },
              FOOTER,
            ],
          },
        },
      ],
    });
  });
});
