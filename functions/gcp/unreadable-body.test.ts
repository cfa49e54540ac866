import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { type UnreadableBody, unreadableDelivery } from './unreadable-body.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const body = (over: Partial<UnreadableBody>): UnreadableBody => ({
  headers: {},
  bytes: new Uint8Array(0),
  failure: 'SyntaxError',
  ...over,
});

describe('unreadableDelivery', () => {
  it('names a binary-mode delivery by its ce-id, under the trigger, and keeps its type', () => {
    const delivery = unreadableDelivery(
      'eventarc',
      body({
        headers: { 'ce-id': '77', 'ce-type': 'google.cloud.audit.log.v1.written' },
        bytes: bytes('nope'),
      }),
    );
    expect(delivery).toMatchObject({ input: 'eventarc:77', type: 'google.cloud.audit.log.v1.written' });
    expect(delivery.items).toEqual([
      {
        type: 'reject',
        code: 'invalid_json',
        message: expect.stringMatching(/^the body is not JSON: /),
        raw: 'nope',
        delivery: 'eventarc',
        position: { value: 0, path: '', offset: 0 },
      },
    ]);
  });

  it('names a delivery without an id by the SHA-256 of its bytes', () => {
    const data = bytes('{"id":"1",');
    expect(unreadableDelivery('pubsub', body({ bytes: data }))).toMatchObject({
      input: `http:sha256:${sha256(data)}`,
      type: null,
    });
  });

  it('quarantines a request without a body as an empty envelope', () => {
    expect(unreadableDelivery('pubsub', body({ failure: null })).items).toEqual([
      expect.objectContaining({
        code: 'invalid_envelope',
        message: 'empty body: the delivery carried nothing to store',
        raw: '',
      }),
    ]);
  });

  it('keeps bytes that are not UTF-8 as base64, as invalid_encoding', () => {
    const data = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(unreadableDelivery('pubsub', body({ bytes: data })).items).toEqual([
      expect.objectContaining({ code: 'invalid_encoding', raw: data.toString('base64') }),
    ]);
  });

  it('says what the framework said when the bytes are JSON or were not kept', () => {
    const [json] = unreadableDelivery(
      'pubsub',
      body({ bytes: bytes('"text"'), failure: 'cannot use in' }),
    ).items;
    expect(json).toMatchObject({
      code: 'invalid_envelope',
      message: 'the body could not be read as a CloudEvent: cannot use in',
      raw: '"text"',
    });
    const [lost] = unreadableDelivery('pubsub', body({ failure: 'incorrect header check' })).items;
    expect(lost).toMatchObject({
      code: 'invalid_envelope',
      message: 'the body could not be read: incorrect header check',
    });
  });

  it('always yields one rejection holding every byte, named the same for the same request', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.option(fc.stringMatching(/^[0-9a-z-]{1,20}$/), { nil: undefined }),
        fc.constantFrom<'pubsub' | 'eventarc'>('pubsub', 'eventarc'),
        (data, id, trigger) => {
          const request = body({ headers: id === undefined ? {} : { 'ce-id': id }, bytes: data });
          const delivery = unreadableDelivery(trigger, request);
          expect(delivery).toEqual(unreadableDelivery(trigger, request));
          expect(delivery.items).toHaveLength(1);
          const [item] = delivery.items;
          if (item?.type !== 'reject') throw new Error('not a rejection');
          const kept = item.code === 'invalid_encoding' ? Buffer.from(item.raw, 'base64') : bytes(item.raw);
          expect(Buffer.compare(kept, Buffer.from(data))).toBe(0);
          expect(delivery.input).toBe(id === undefined ? `http:sha256:${sha256(data)}` : `${trigger}:${id}`);
        },
      ),
    );
  });
});
