import { RejectError } from '../core/errors.js';
import { asObject, type JsonObject } from '../core/json-access.js';
import type { DecodedItem } from './decoded-item.js';
import { type DecodeContext, type Envelope, rejectItem, rejectValue, skipItem, within } from './envelope.js';
import { decodeBase64, gunzipCapped, parseJson, utf8 } from './payload.js';

function decodeMessage(message: JsonObject, context: DecodeContext, basePath: string): DecodedItem[] {
  if (message.messageType === 'CONTROL_MESSAGE')
    return [skipItem('control_message', context, 'cloudwatch-logs')];
  if (message.messageType !== 'DATA_MESSAGE' || !Array.isArray(message.logEvents)) {
    throw new RejectError('invalid_envelope', 'CloudWatch Logs payload is not a DATA_MESSAGE with logEvents');
  }
  return message.logEvents.flatMap((logEvent, index) => {
    const path = `${basePath}/logEvents/${index}`;
    const text = asObject(logEvent)?.message;
    if (typeof text !== 'string') {
      return [
        rejectValue(
          'invalid_envelope',
          'log event has no message',
          logEvent,
          within(context, path),
          'cloudwatch-logs',
        ),
      ];
    }
    // Each message is one CloudTrail record serialized as a JSON string: parse it a second time.
    // A bad message rejects that log event alone, not the whole batch.
    let parsed: unknown;
    try {
      parsed = parseJson(text, 'log event message', context.limits.maxValueBytes);
    } catch (error) {
      if (!(error instanceof RejectError)) throw error;
      return [rejectItem(error.code, error.message, text, within(context, path), 'cloudwatch-logs')];
    }
    return context.nested(parsed, 'cloudwatch-logs', path, true);
  });
}

/**
 * A CloudWatch Logs subscription: `{"awslogs":{"data": base64(gzip(JSON))}}` as Lambda receives it,
 * or the decoded message. CONTROL_MESSAGE health checks are skipped (their `id: ""` is no key).
 */
export const cloudWatchLogs: Envelope = {
  delivery: 'cloudwatch-logs',
  matches: (value) =>
    asObject(value.awslogs) !== null || (typeof value.messageType === 'string' && 'logEvents' in value),
  decode(value, context) {
    const awslogs = asObject(value.awslogs);
    if (!awslogs) return decodeMessage(value, context, '');
    if (typeof awslogs.data !== 'string')
      throw new RejectError('invalid_envelope', 'awslogs.data must be a string');
    const compressed = decodeBase64(awslogs.data, 'awslogs.data');
    const json = utf8(
      gunzipCapped(compressed, context.limits.maxPayloadBytes, 'awslogs.data'),
      'awslogs.data',
    );
    const message = asObject(parseJson(json, 'awslogs.data', context.limits.maxPayloadBytes));
    if (!message) throw new RejectError('invalid_envelope', 'awslogs.data must decode to an object');
    return decodeMessage(message, { ...context, depthChecked: true }, '/awslogs/data');
  },
};
