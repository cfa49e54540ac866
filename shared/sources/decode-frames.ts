import { asObject } from '../core/json-access.js';
import { NOT_AN_OBJECT } from './cloudtrail-file.js';
import { decodeValue } from './decode-value.js';
import type { DecodedItem, Position } from './decoded-item.js';
import type { Frame } from './json-framer.js';
import type { DecodeLimits } from './limits.js';

/**
 * Parses framed values and unwraps their envelopes. Records of a streamed CloudTrail file take a
 * short path; those the framer's prefilter proved irrelevant are counted as skipped unparsed.
 */
export function decodeFrames(frames: readonly Frame[], limits: DecodeLimits): DecodedItem[] {
  const out: DecodedItem[] = [];
  for (const frame of frames) {
    const position: Position = { value: frame.value, path: frame.path, offset: frame.offset };
    const delivery = frame.path.startsWith('/Records/') ? 'cloudtrail-file' : 'plain';
    if (frame.type === 'skipped') {
      out.push({ type: 'skip', reason: 'not_federation', delivery, position });
      continue;
    }
    if (frame.type === 'malformed') {
      out.push({
        type: 'reject',
        code: frame.code,
        message: frame.message,
        raw: frame.text,
        ...(frame.whole ? { whole: frame.whole } : {}),
        delivery,
        position,
      });
      continue;
    }
    let value: unknown;
    try {
      value = frame.parsed ?? JSON.parse(frame.text);
    } catch (error) {
      out.push({
        type: 'reject',
        code: 'invalid_json',
        message: (error as Error).message,
        raw: frame.text,
        delivery,
        position,
      });
      continue;
    }
    if (delivery === 'plain') {
      for (const item of decodeValue(value, { limits, position, depthChecked: true })) {
        out.push(item.position.path === frame.path ? withFrameText(item, frame.text) : item);
      }
      continue;
    }
    const record = asObject(value);
    out.push(
      record
        ? {
            type: 'record',
            record: { format: 'cloudtrail', value: record },
            text: frame.text,
            delivery,
            position,
          }
        : {
            type: 'reject',
            code: 'unrecognized_record',
            message: NOT_AN_OBJECT,
            raw: frame.text,
            delivery,
            position,
          },
    );
  }
  return out;
}

/**
 * An item that stands for the whole framed value (a bare record or a rejected envelope, not a
 * record found inside one) keeps the value's own text rather than a re-serialization, so its
 * length and hash describe the bytes at its offset in the input.
 */
function withFrameText(item: DecodedItem, text: string): DecodedItem {
  if (item.type === 'record') return { ...item, text };
  if (item.type === 'reject' && item.whole === undefined) return { ...item, raw: text };
  return item;
}
