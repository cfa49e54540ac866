import { RejectError } from '../core/errors.js';
import { asObject, type JsonObject } from '../core/json-access.js';
import { cloudTrailFile } from './cloudtrail-file.js';
import { cloudTrailLookupEvents } from './cloudtrail-lookup-events.js';
import { cloudWatchLogs } from './cloudwatch-logs.js';
import { at, type DecodedItem, type Delivery, type Position } from './decoded-item.js';
import { type DecodeContext, type Envelope, recordItem, rejectValue, skipItem } from './envelope.js';
import { eventarc } from './eventarc.js';
import { eventBridge } from './eventbridge.js';
import { DEFAULT_LIMITS, type DecodeLimits } from './limits.js';
import { tooDeepMessage, valueNestsTooDeep } from './nesting.js';
import { pubSub } from './pubsub.js';

// Order matters: a messagePublished CloudEvent is Pub/Sub before it is "some CloudEvent".
const ENVELOPES: readonly Envelope[] = [
  cloudTrailFile,
  cloudTrailLookupEvents,
  eventBridge,
  cloudWatchLogs,
  pubSub,
  eventarc,
];
const MAX_NESTING = 4;
const LOG_ENTRY_DATA_TYPE = 'type.googleapis.com/google.events.cloud.audit.v1.LogEntryData';

function isCloudTrailRecord(value: JsonObject): boolean {
  return (
    typeof value.eventVersion === 'string' ||
    typeof value.eventName === 'string' ||
    typeof value.eventSource === 'string'
  );
}

function isLogEntry(value: JsonObject): boolean {
  return (
    'protoPayload' in value ||
    'jsonPayload' in value ||
    'textPayload' in value ||
    typeof value.logName === 'string' ||
    typeof value.insertId === 'string' ||
    typeof value.logname === 'string'
  );
}

/** Eventarc adds an `@type` to the LogEntry that a sink-delivered entry lacks; it is envelope, not record. */
function withoutEnvelopeType(entry: JsonObject): JsonObject {
  if (entry['@type'] !== LOG_ENTRY_DATA_TYPE) return entry;
  const { '@type': _envelopeType, ...rest } = entry;
  return rest;
}

function decodeObject(value: JsonObject, context: DecodeContext): DecodedItem[] {
  for (const envelope of ENVELOPES) {
    if (!envelope.matches(value)) continue;
    try {
      return envelope.decode(value, context);
    } catch (error) {
      if (!(error instanceof RejectError)) throw error;
      return [rejectValue(error.code, error.message, value, context, envelope.delivery)];
    }
  }
  if (isCloudTrailRecord(value)) return [recordItem({ format: 'cloudtrail', value }, context, 'plain')];
  if (isLogEntry(value)) {
    return asObject(value.protoPayload)
      ? [recordItem({ format: 'logentry', value: withoutEnvelopeType(value) }, context, 'plain')]
      : [skipItem('not_audit_log', context, 'plain')];
  }
  if (!context.depthChecked && valueNestsTooDeep(value)) {
    return [rejectValue('too_large', tooDeepMessage('value'), value, context, 'plain')];
  }
  return [
    rejectValue(
      'unrecognized_record',
      'neither a known delivery envelope nor a CloudTrail record or LogEntry',
      value,
      context,
      'plain',
    ),
  ];
}

function decodeIn(value: unknown, context: DecodeContext): DecodedItem[] {
  if (Array.isArray(value)) {
    return value.flatMap((element, index) =>
      context.nested(element, context.delivery ?? 'plain', `/${index}`),
    );
  }
  const object = asObject(value);
  if (object) return decodeObject(object, context);
  return [
    rejectValue(
      'unrecognized_record',
      `a ${value === null ? 'null' : typeof value} is not an audit record`,
      value,
      context,
      'plain',
    ),
  ];
}

function contextFor(
  limits: DecodeLimits,
  delivery: Delivery | null,
  position: Position,
  depth: number,
  depthChecked: boolean,
): DecodeContext {
  return {
    limits,
    delivery,
    position,
    depth,
    depthChecked,
    nested(inner, innerDelivery, path, innerChecked = depthChecked) {
      const innerContext = contextFor(
        limits,
        delivery ?? innerDelivery,
        at(position, path),
        depth + 1,
        innerChecked,
      );
      if (depth + 1 > MAX_NESTING) {
        return [rejectValue('invalid_envelope', 'envelopes nested too deeply', inner, innerContext, 'plain')];
      }
      return decodeIn(inner, innerContext);
    },
  };
}

export interface DecodeValueOptions {
  readonly limits?: DecodeLimits;
  readonly position?: Position;
  /** Set when the value was parsed from a text whose nesting the framer already capped. */
  readonly depthChecked?: boolean;
}

/**
 * Detects the delivery envelope from content and unwraps it down to audit records. Total: any
 * JSON value yields records, skips and rejections, never an exception.
 */
export function decodeValue(value: unknown, options: DecodeValueOptions = {}): DecodedItem[] {
  const position = options.position ?? { value: 0, path: '', offset: 0 };
  const limits = options.limits ?? DEFAULT_LIMITS;
  return decodeIn(value, contextFor(limits, null, position, 0, options.depthChecked ?? false));
}
