import { RejectError } from '../core/errors.js';
import { asObject, type JsonObject } from '../core/json-access.js';
import type { DecodedItem } from './decoded-item.js';
import { type DecodeContext, type Envelope, rejectItem, rejectValue, within } from './envelope.js';
import { parseJson } from './payload.js';

function decodeEvent(event: unknown, context: DecodeContext, path: string): DecodedItem[] {
  const text = asObject(event)?.CloudTrailEvent;
  if (typeof text !== 'string') {
    return [
      rejectValue(
        'invalid_envelope',
        'a LookupEvents event without a CloudTrailEvent string',
        event,
        within(context, path),
        'cloudtrail-lookup',
      ),
    ];
  }
  const inner = `${path}/CloudTrailEvent`;
  // CloudTrailEvent is the whole record serialized as a JSON string: parse it a second time. A bad
  // one rejects that event alone, not the page.
  let parsed: unknown;
  try {
    parsed = parseJson(text, 'CloudTrailEvent', context.limits.maxValueBytes);
  } catch (error) {
    if (!(error instanceof RejectError)) throw error;
    return [rejectItem(error.code, error.message, text, within(context, inner), 'cloudtrail-lookup')];
  }
  return context.nested(parsed, 'cloudtrail-lookup', inner, true);
}

/**
 * `aws cloudtrail lookup-events` output: the page `{"Events": [...], "NextToken"?: ...}`, or one of
 * its events alone (e.g. one per line). Each event carries the CloudTrail record as the JSON string
 * `CloudTrailEvent`; its other keys (EventId, EventName, Username, Resources...) repeat facts of
 * the record and are not needed. NextToken only pages the API call.
 */
export const cloudTrailLookupEvents: Envelope = {
  delivery: 'cloudtrail-lookup',
  matches: (value: JsonObject) => Array.isArray(value.Events) || 'CloudTrailEvent' in value,
  decode(value, context) {
    if (!Array.isArray(value.Events)) return decodeEvent(value, context, '');
    return value.Events.flatMap((event, index) => decodeEvent(event, context, `/Events/${index}`));
  },
};
