import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { encodeKey, getObjectRequest, objectUrl } from './get-object-request.js';

const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** SigV4 for a body-less S3 GET, written from AWS's "Signature Calculations for the Authorization Header". */
function expectedSignature(host: string, path: string, amzDate: string, region: string): string {
  const canonicalRequest = [
    'GET',
    path,
    '',
    `host:${host}\nx-amz-content-sha256:${EMPTY_SHA256}\nx-amz-date:${amzDate}\n`,
    'host;x-amz-content-sha256;x-amz-date',
    EMPTY_SHA256,
  ].join('\n');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  return hmac(key, stringToSign).toString('hex');
}

describe('getObjectRequest', () => {
  it('signs a GET as AWS documents it, over the path S3 reads', async () => {
    const signed = await getObjectRequest({
      bucket: 'examplebucket',
      key: 'AWSLogs/111122223333/a b+c.json.gz',
      region: 'us-east-1',
      credentials: CREDENTIALS,
      signingDate: new Date('2013-05-24T00:00:00Z'),
    });
    const host = 'examplebucket.s3.us-east-1.amazonaws.com';
    const path = '/AWSLogs/111122223333/a%20b%2Bc.json.gz';
    expect(signed.url.href).toBe(`https://${host}${path}`);
    expect(signed.headers).toMatchObject({
      host,
      'x-amz-date': '20130524T000000Z',
      'x-amz-content-sha256': EMPTY_SHA256,
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;x-amz-content-sha256;x-amz-date, ' +
        `Signature=${expectedSignature(host, path, '20130524T000000Z', 'us-east-1')}`,
    });
  });

  it('sends and signs the session token of temporary credentials', async () => {
    const signed = await getObjectRequest({
      bucket: 'trail',
      key: 'k',
      region: 'eu-west-1',
      credentials: { ...CREDENTIALS, sessionToken: 'session-token' },
    });
    expect(signed.headers['x-amz-security-token']).toBe('session-token');
    expect(signed.headers.authorization).toContain(
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    );
  });
});

describe('objectUrl', () => {
  it('uses the bucket as host when it can be one, the path when it cannot, and an endpoint as given', () => {
    expect(objectUrl('trail', 'a/b', 'us-east-2').href).toBe('https://trail.s3.us-east-2.amazonaws.com/a/b');
    expect(objectUrl('trail.logs.example', 'a', 'us-east-2').href).toBe(
      'https://s3.us-east-2.amazonaws.com/trail.logs.example/a',
    );
    expect(objectUrl('trail', 'a', 'cn-north-1').href).toBe('https://trail.s3.cn-north-1.amazonaws.com.cn/a');
    expect(objectUrl('trail', 'a', 'us-gov-west-1').href).toBe(
      'https://trail.s3.us-gov-west-1.amazonaws.com/a',
    );
    expect(objectUrl('trail', 'a', 'us-east-2', 'http://127.0.0.1:9000/').href).toBe(
      'http://127.0.0.1:9000/trail/a',
    );
  });
});

describe('encodeKey', () => {
  it('encodes each segment once, leaving only unreserved characters, and decodes back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (key) => {
        const encoded = encodeKey(key);
        expect(encoded).toMatch(/^[A-Za-z0-9\-._~%/]*$/);
        expect(encoded.split('/').map(decodeURIComponent).join('/')).toBe(key);
      }),
    );
  });
});
