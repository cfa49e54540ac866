import { asObject } from '../core/json-access.js';
import { type Envelope, recordItem, rejectValue, within } from './envelope.js';

export const NOT_AN_OBJECT = 'a Records element must be an object';

/**
 * A CloudTrail log file `{"Records": [...]}` held in memory. Files streamed from disk or S3 are
 * split record by record by the framer instead and arrive here one record at a time.
 */
export const cloudTrailFile: Envelope = {
  delivery: 'cloudtrail-file',
  matches: (value) => Array.isArray(value.Records),
  decode(value, context) {
    return (value.Records as unknown[]).map((element, index) => {
      const path = `/Records/${index}`;
      const inner = within(context, path);
      const record = asObject(element);
      return record
        ? recordItem({ format: 'cloudtrail', value: record }, inner, 'cloudtrail-file')
        : rejectValue('unrecognized_record', NOT_AN_OBJECT, element, inner, 'cloudtrail-file');
    });
  },
};
