import { RejectError } from '../core/errors.js';
import { asObject, type JsonObject } from '../core/json-access.js';
import type { DecodedItem } from './decoded-item.js';
import type { DecodeContext, Envelope } from './envelope.js';
import { decodeBase64, gunzipCapped, isGzip, parseJson, utf8 } from './payload.js';

const MESSAGE_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';

function decodeMessage(message: JsonObject, context: DecodeContext, path: string): DecodedItem[] {
  if (typeof message.data !== 'string') {
    throw new RejectError('invalid_envelope', 'Pub/Sub message.data must be a base64 string');
  }
  let bytes: Uint8Array = decodeBase64(message.data, 'message.data');
  if (isGzip(bytes)) bytes = gunzipCapped(bytes, context.limits.maxPayloadBytes, 'message.data');
  // A Log Router sink publishes one LogEntry per message, followed by a newline.
  const text = utf8(bytes, 'message.data').trimEnd();
  const payload = parseJson(text, 'message.data', context.limits.maxValueBytes);
  return context.nested(payload, 'pubsub', `${path}/message/data`, true);
}

/**
 * A Pub/Sub delivery: the push body `{"message": {...}, "subscription": ...}` (also what the
 * functions framework hands a `messagePublished` CloudEvent as `data`), or the structured
 * CloudEvent itself. messageId/message_id and publishTime/publish_time both occur; neither is a
 * de-duplication key (the LogEntry's own id is).
 */
export const pubSub: Envelope = {
  delivery: 'pubsub',
  matches(value) {
    if (value.type === MESSAGE_PUBLISHED && 'specversion' in value) return true;
    const message = asObject(value.message);
    return message !== null && ('data' in message || 'messageId' in message || 'message_id' in message);
  },
  decode(value, context) {
    if (value.type === MESSAGE_PUBLISHED) {
      const message = asObject(asObject(value.data)?.message);
      if (!message)
        throw new RejectError('invalid_envelope', 'messagePublished CloudEvent has no data.message');
      return decodeMessage(message, context, '/data');
    }
    return decodeMessage(asObject(value.message)!, context, '');
  },
};
