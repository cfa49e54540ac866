import { SEVERITIES } from '../alerts/alert.js';
import type { ColumnSpec } from './columns.js';

export const ALERT_STATUSES = ['pending', 'delivered', 'failed', 'unconfirmed', 'acked'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * Columns written by the senders' compare-and-set only: a store's merge of a run's alerts leaves
 * them alone, so a merge racing a sender cannot undo its claim.
 */
export const SENDER_OWNED_COLUMNS: ReadonlySet<string> = new Set([
  'deliveries',
  'delivered_count',
  'last_error',
]);

/**
 * The alerts table: one row per incident, so a replay or a redelivered event updates the row it
 * belongs to instead of alerting again, and an alert whose delivery failed is retried later.
 */
export const ALERT_COLUMNS = [
  {
    name: 'alert_id',
    type: 'string',
    required: true,
    description: 'SHA-256 of (rule, principal, subject, UTC day).',
  },
  { name: 'rule', type: 'string', required: true, description: 'The detection rule.' },
  {
    name: 'severity',
    type: 'string',
    required: true,
    values: SEVERITIES,
    description: 'low, medium, high, critical.',
  },
  { name: 'title', type: 'string', required: true, description: 'What happened, in one line.' },
  { name: 'principal', type: 'string', required: false, description: 'The cloud principal.' },
  {
    name: 'subject',
    type: 'string',
    required: false,
    description: 'The external subject. Attacker-influenced.',
  },
  { name: 'identity_provider', type: 'string', required: false, description: 'The identity provider.' },
  { name: 'audience', type: 'string', required: false, description: 'The token audience.' },
  { name: 'resource', type: 'string', required: false, description: 'What was acted on.' },
  { name: 'source_ip', type: 'string', required: false, description: 'Caller IP of the latest event.' },
  { name: 'count', type: 'integer', required: true, description: 'Events in the incident so far.' },
  { name: 'first_seen', type: 'timestamp', required: true, description: 'Event time of the first event.' },
  { name: 'last_seen', type: 'timestamp', required: true, description: 'Event time of the latest event.' },
  { name: 'event_ids', type: 'json', required: true, description: 'The event ids, a JSON array.' },
  { name: 'runbook', type: 'string', required: true, description: "The rule's short runbook." },
  { name: 'query', type: 'string', required: true, description: 'A ready command to investigate.' },
  {
    name: 'status',
    type: 'string',
    required: true,
    values: ALERT_STATUSES,
    description:
      'Derived from deliveries: pending (to deliver), delivered (every channel answered 2xx), failed (some channel refused it; retried by `tokentrail alerts retry`), unconfirmed (a post whose answer was lost may have landed; resent only by `tokentrail alerts retry --unconfirmed`), acked (no more messages).',
  },
  {
    name: 'delivered_count',
    type: 'integer',
    required: true,
    description:
      'The smallest count every channel confirmed; a larger count is delivered again as an update.',
  },
  {
    name: 'last_error',
    type: 'string',
    required: false,
    description: 'Why the last delivery failed, per channel (webhook URLs redacted).',
  },
  {
    name: 'updated_at',
    type: 'timestamp',
    required: true,
    description: 'When tokentrail last changed the row.',
  },
  {
    name: 'deliveries',
    type: 'json',
    required: false,
    addedLater: true,
    description:
      'Delivery state per chat channel: {revision, channels: {KEY: {channel, state (sending, delivered, failed, unconfirmed), count, delivered_count, attempts, last_error, delivered_at, updated_at}}}. Each post is claimed here (a compare-and-set on revision) before it is sent. Null in rows stored before this column.',
  },
] as const satisfies readonly ColumnSpec[];
