import { RejectError } from '../core/errors.js';
import { asObject } from '../core/json-access.js';
import { type Envelope, recordItem, skipItem, within } from './envelope.js';

// AWS docs in some partitions render the value as "Amazon API Call via CloudTrail"; accept both.
const CLOUDTRAIL_DETAIL_TYPE = /^(?:AWS|Amazon) API Call via CloudTrail$/;

/**
 * An EventBridge event. Only `AWS API Call via CloudTrail` carries an audit record (in `detail`,
 * an object); de-duplication uses the record's eventID, never the per-delivery envelope `id`.
 */
export const eventBridge: Envelope = {
  delivery: 'eventbridge',
  matches: (value) => typeof value['detail-type'] === 'string' && 'detail' in value,
  decode(value, context) {
    if (!CLOUDTRAIL_DETAIL_TYPE.test(value['detail-type'] as string)) {
      return [skipItem('not_audit_log', context, 'eventbridge')];
    }
    const detail = asObject(value.detail);
    if (!detail) throw new RejectError('invalid_envelope', 'EventBridge detail must be an object');
    return [recordItem({ format: 'cloudtrail', value: detail }, within(context, '/detail'), 'eventbridge')];
  },
};
