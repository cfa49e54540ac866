import { RejectError } from '../core/errors.js';
import { asObject } from '../core/json-access.js';
import { type Envelope, skipItem } from './envelope.js';

const AUDIT_LOG_WRITTEN = 'google.cloud.audit.log.v1.written';

/**
 * A structured CloudEvent. Eventarc's `google.cloud.audit.log.v1.written` carries the LogEntry as
 * `data` (as a JSON object: a typed decoder would drop delegation principalSubject). The extension
 * attributes (methodname or methodName, ...) are not needed: the LogEntry holds the same facts.
 * Other CloudEvent types are not audit logs.
 */
export const eventarc: Envelope = {
  delivery: 'eventarc',
  matches: (value) => typeof value.specversion === 'string' && typeof value.type === 'string',
  decode(value, context) {
    if (value.type !== AUDIT_LOG_WRITTEN) return [skipItem('not_audit_log', context, 'eventarc')];
    const data = asObject(value.data);
    if (!data) throw new RejectError('invalid_envelope', 'audit log CloudEvent has no data object');
    return context.nested(data, 'eventarc', '/data');
  },
};
