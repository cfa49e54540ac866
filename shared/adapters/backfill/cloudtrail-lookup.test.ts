import { DEFAULT_LIMITS } from '../../sources/limits.js';
import { lookupEventItems } from './cloudtrail-lookup.js';

const RECORD = {
  eventVersion: '1.08',
  eventID: 'e-1',
  eventTime: '2025-11-20T09:58:00Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRoleWithWebIdentity',
};

describe('lookupEventItems', () => {
  it('decodes the record held as JSON text in CloudTrailEvent, positioned by its event id', () => {
    const [item] = lookupEventItems(
      { EventId: 'e-1', CloudTrailEvent: JSON.stringify(RECORD) },
      DEFAULT_LIMITS,
    );
    expect(item).toMatchObject({
      type: 'record',
      record: { format: 'cloudtrail', value: RECORD },
      position: { path: '/EventId/e-1' },
    });
  });

  it('rejects text that is not JSON with the text itself', () => {
    expect(lookupEventItems({ EventId: 'e-2', CloudTrailEvent: '{"eventID":' }, DEFAULT_LIMITS)).toEqual([
      {
        type: 'reject',
        code: 'invalid_json',
        message: expect.stringContaining('CloudTrailEvent is not JSON'),
        raw: '{"eventID":',
        delivery: 'plain',
        position: { value: 0, path: '/EventId/e-2', offset: 0 },
      },
    ]);
  });

  it('rejects an event without CloudTrailEvent as an envelope fault', () => {
    const [item] = lookupEventItems(
      { EventId: 'e-3', EventName: 'AssumeRoleWithWebIdentity' },
      DEFAULT_LIMITS,
    );
    expect(item).toMatchObject({
      type: 'reject',
      code: 'invalid_envelope',
      raw: expect.stringContaining('e-3'),
    });
  });

  it('gives whatever the decoders make of valid JSON that is not a record', () => {
    const [item] = lookupEventItems({ EventId: 'e-4', CloudTrailEvent: '42' }, DEFAULT_LIMITS);
    expect(item).toMatchObject({ type: 'reject', code: 'unrecognized_record' });
  });
});
