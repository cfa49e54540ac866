import type { CloudEvent } from '@google-cloud/functions-framework';
import { structuredCloudEvent } from './cloud-event.js';

const binaryContext = {
  specversion: '1.0',
  type: 'google.cloud.audit.log.v1.written',
  source: '//cloudaudit.googleapis.com/projects/p/logs/data_access',
  id: 'id-1',
  time: '2025-05-06T07:10:00.7Z',
  methodname: 'GenerateAccessToken',
  servicename: 'iamcredentials.googleapis.com',
  traceparent: undefined,
};

const event = (data: unknown, extra: Record<string, unknown> = {}) =>
  ({ ...binaryContext, ...extra, data }) as unknown as CloudEvent<unknown>;

describe('structuredCloudEvent', () => {
  it('keeps every attribute, extensions included, and drops the unset ones', () => {
    const { traceparent: _unset, ...attributes } = binaryContext;
    expect(structuredCloudEvent(event({ insertId: 'a' }))).toEqual({
      ...attributes,
      data: { insertId: 'a' },
    });
  });

  it('turns JSON bytes or text (a body sent without a JSON content type) into the object', () => {
    expect(structuredCloudEvent(event(Buffer.from('{"insertId":"a"}'))).data).toEqual({ insertId: 'a' });
    expect(structuredCloudEvent(event('{"insertId":"a"}')).data).toEqual({ insertId: 'a' });
    expect(structuredCloudEvent(event(undefined, { data_base64: 'eyJpbnNlcnRJZCI6ImEifQ==' })).data).toEqual({
      insertId: 'a',
    });
  });

  it('keeps what is not JSON as it came, for the decoders to quarantine whole', () => {
    expect(structuredCloudEvent(event('plain text')).data).toBe('plain text');
    const bytes = Buffer.from([0xff, 0xfe, 0x00]);
    expect(structuredCloudEvent(event(bytes))).toMatchObject({ data_base64: bytes.toString('base64') });
    expect(structuredCloudEvent(event(bytes))).not.toHaveProperty('data');
  });

  it('leaves data out when the delivery had none', () => {
    expect(structuredCloudEvent(event(undefined))).not.toHaveProperty('data');
  });
});
