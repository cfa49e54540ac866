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
    description:
      'Where it came from: a file name, `-` for standard input, s3://BUCKET/KEY (with ?versionId=ID when the notification names one), pubsub:MESSAGE_ID, eventarc:ID, sqs:MESSAGE_ID.',
  },
  {
    name: 'delivery',
    type: 'string',
    required: true,
    description:
      'The envelope it arrived in: cloudtrail-file, cloudtrail-lookup (aws cloudtrail lookup-events output), eventbridge, cloudwatch-logs, pubsub, eventarc, plain.',
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
      'The rejected record as UTF-8 text: all of it up to 64 KiB, else its first 64 KiB cut at a character boundary (raw_truncated). Base64 of its bytes when code is invalid_encoding and they are not UTF-8. Attacker-influenced.',
  },
  {
    name: 'raw_bytes',
    type: 'integer',
    required: false,
    addedLater: true,
    description:
      'Byte length of the whole rejected record: with input and position.offset, where to re-read it. Null in rows stored before this column.',
  },
  {
    name: 'raw_sha256',
    type: 'string',
    required: false,
    addedLater: true,
    description: 'Hex SHA-256 of the whole rejected record, to check bytes re-read from the input.',
  },
  {
    name: 'raw_truncated',
    type: 'boolean',
    required: false,
    addedLater: true,
    description: 'True when raw holds only the head of the record (raw_bytes says how long it is).',
  },
] as const satisfies readonly ColumnSpec[];
