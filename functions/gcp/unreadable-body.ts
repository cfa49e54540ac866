import { createHash } from 'node:crypto';
import type { RejectCode } from '../../shared/core/errors.js';
import type { DecodedItem } from '../../shared/sources/index.js';

/** Names the input in the quarantine and the logs: `pubsub:<messageId>`, `eventarc:<CloudEvent id>`. */
export type Trigger = 'pubsub' | 'eventarc';

/** A request body the functions framework could not turn into a CloudEvent for the function. */
export interface UnreadableBody {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body's bytes, as far as the framework read them. */
  readonly bytes: Uint8Array;
  /** The framework's error, or null for a request that carried no body at all. */
  readonly failure: string | null;
}

/** What an unreadable body becomes: one rejected item, under the name it is logged and quarantined by. */
export interface UnreadableDelivery {
  readonly input: string;
  /** The CloudEvent type when the headers name one (binary content mode). */
  readonly type: string | null;
  readonly items: readonly DecodedItem[];
}

function header(headers: UnreadableBody['headers'], name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : null;
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function jsonError(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function verdict(body: UnreadableBody, text: string | null): { code: RejectCode; message: string } {
  if (body.failure === null) {
    return { code: 'invalid_envelope', message: 'empty body: the delivery carried nothing to store' };
  }
  if (text === null)
    return { code: 'invalid_encoding', message: 'the body is not UTF-8 text (kept as base64)' };
  if (body.bytes.length === 0) {
    return { code: 'invalid_envelope', message: `the body could not be read: ${body.failure}` };
  }
  const notJson = jsonError(text);
  if (notJson !== null) return { code: 'invalid_json', message: `the body is not JSON: ${notJson}` };
  return { code: 'invalid_envelope', message: `the body could not be read as a CloudEvent: ${body.failure}` };
}

/**
 * A body the framework rejected (not JSON, an unsupported charset) or a request without one, as the
 * quarantine row it becomes: a retry cannot fix it, so it is kept with its bytes and acknowledged.
 * It is named by its CloudEvent id when binary content mode sent one in a `ce-id` header (for a
 * Pub/Sub trigger that is the message id), and otherwise by the SHA-256 of its bytes.
 */
export function unreadableDelivery(trigger: Trigger, body: UnreadableBody): UnreadableDelivery {
  const id = header(body.headers, 'ce-id');
  const text = utf8(body.bytes);
  const { code, message } = verdict(body, text);
  return {
    input:
      id === null
        ? `http:sha256:${createHash('sha256').update(body.bytes).digest('hex')}`
        : `${trigger}:${id}`,
    type: header(body.headers, 'ce-type'),
    items: [
      {
        type: 'reject',
        code,
        message,
        raw: text ?? Buffer.from(body.bytes).toString('base64'),
        delivery: trigger,
        position: { value: 0, path: '', offset: 0 },
      },
    ],
  };
}
