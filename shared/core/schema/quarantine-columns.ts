import { REJECT_CODES } from '../errors.js';
import type { ColumnSpec } from './columns.js';

/**
 * The quarantine table: every record that could not become a row, kept with its bytes and the
 * reason, so nothing is dropped silently (Vector's dropped-events output, as a table).
 */
export const QUARANTINE_COLUMNS = [
  {
    name: 'quarantine_id',
    type: 'string',
    required: true,
    description:
      'Stable id of the rejected record (a hash of its input, position, code and bytes): ingesting the same input twice keeps one copy.',
  },
  {
    name: 'quarantined_at',
    type: 'timestamp',
    required: true,
    description: 'When tokentrail rejected it.',
  },
  {
    name: 'input',
    type: 'string',
    required: true,
    description: 'Where it came from: a file name, `-` for standard input, an S3 key, a Pub/Sub message id.',
  },
  {
    name: 'delivery',
    type: 'string',
    required: true,
    description:
      'The envelope it arrived in: cloudtrail-file, eventbridge, cloudwatch-logs, pubsub, eventarc, plain.',
  },
  {
    name: 'position',
    type: 'json',
    required: true,
    description: 'Where inside the input: {"value": index, "path": "/Records/17", "offset": byte offset}.',
  },
  {
    name: 'code',
    type: 'string',
    required: true,
    values: REJECT_CODES,
    description: 'Why it was rejected, from a fixed list.',
  },
  { name: 'message', type: 'string', required: true, description: 'The reason in words.' },
  {
    name: 'raw',
    type: 'string',
    required: true,
    description:
      'The rejected bytes as text (the head only for values over the size cap). Attacker-influenced.',
  },
] as const satisfies readonly ColumnSpec[];
