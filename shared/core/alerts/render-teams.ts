import type { Alert, Severity } from './alert.js';
import { inertAlert, inertRepeat, type RenderOptions } from './inert-text.js';

/**
 * Microsoft Teams Workflows webhook messages: one Adaptive Card (Workflows take nothing else; the
 * MessageCard connectors are retired). TextBlock and FactSet text is Markdown, so they carry only our
 * words; untrusted text goes into RichTextBlock TextRuns, whose text is shown as is ("Markdown is not
 * supported"). Mentions need an `<at>` tag plus an `msteams.entities` entry; no entity is ever sent.
 * https://learn.microsoft.com/en-us/adaptive-cards/schema-explorer/text-run
 * https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-format
 * Workflows webhooks return no message id, so a repeat is a short new card.
 */
export interface TeamsTextRun {
  readonly type: 'TextRun';
  readonly text: string;
  readonly weight?: 'Bolder';
  readonly size?: 'Small' | 'Medium';
  readonly fontType?: 'Monospace';
  readonly isSubtle?: true;
}

export type TeamsElement =
  | {
      readonly type: 'TextBlock';
      readonly text: string;
      readonly weight: 'Bolder';
      readonly color?: 'Attention' | 'Warning' | 'Default';
      readonly wrap: true;
    }
  | { readonly type: 'RichTextBlock'; readonly inlines: readonly TeamsTextRun[] };

export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly [
    {
      readonly contentType: 'application/vnd.microsoft.card.adaptive';
      readonly contentUrl: null;
      readonly content: {
        readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
        readonly type: 'AdaptiveCard';
        readonly version: '1.4';
        readonly msteams: { readonly width: 'Full' };
        readonly body: readonly TeamsElement[];
      };
    },
  ];
}

/**
 * A Workflows (and incoming) webhook refuses a message over about 28 KB. Nothing is escaped for a
 * TextRun, and every text is already capped in code points (`inert-text.ts`), so the body stays under
 * about 20,000 bytes even when every character takes four bytes; the property test checks the limit.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
 * https://learn.microsoft.com/en-us/connectors/teams/ ("message size limit is approximately 28 KB")
 */
export const TEAMS_LIMITS = { messageBytes: 28_000 } as const;

const COLOR: Readonly<Record<Severity, 'Attention' | 'Warning' | 'Default'>> = {
  critical: 'Attention',
  high: 'Attention',
  medium: 'Warning',
  low: 'Default',
};

/** Only for text we write: TextBlock text is Markdown. */
const heading = (text: string, color?: 'Attention' | 'Warning' | 'Default'): TeamsElement => ({
  type: 'TextBlock',
  text,
  weight: 'Bolder',
  ...(color ? { color } : {}),
  wrap: true,
});
const runs = (...inlines: TeamsTextRun[]): TeamsElement => ({ type: 'RichTextBlock', inlines });
const run = (text: string, style: Omit<TeamsTextRun, 'type' | 'text'> = {}): TeamsTextRun => ({
  type: 'TextRun',
  text,
  ...style,
});

function card(body: readonly TeamsElement[]): TeamsMessage {
  return {
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
  };
}

export function renderTeams(alert: Alert, options: RenderOptions = {}): TeamsMessage {
  const shown = inertAlert(alert);
  const color = COLOR[alert.severity] ?? 'Default';
  const footer = runs(run(shown.footer, { size: 'Small', isSubtle: true }));
  if (options.repeat) {
    const repeat = inertRepeat(alert, options.previousCount);
    return card([
      heading(`${shown.severity} alert again`, color),
      runs(run(repeat.summary, { weight: 'Bolder' })),
      runs(run(repeat.detail)),
      footer,
    ]);
  }
  return card([
    heading(`${shown.severity} alert`, color),
    runs(run(shown.summary, { weight: 'Bolder', size: 'Medium' })),
    ...shown.fields.map((field) => runs(run(`${field.label}: `, { weight: 'Bolder' }), run(field.value))),
    heading('Runbook'),
    runs(run(shown.runbook)),
    heading('Investigate'),
    runs(run(shown.query, { fontType: 'Monospace' })),
    footer,
  ]);
}
