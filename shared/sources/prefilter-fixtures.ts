/**
 * Adversarial spellings of CloudTrail records for the prefilter: each text is one record's bytes
 * as they could sit in a Records array, with the verdict the prefilter must reach. `parse` means
 * the bytes cannot prove the record irrelevant (the full path decides); `skip` means they do.
 */
export interface PrefilterFixture {
  readonly description: string;
  readonly text: string;
  readonly prefilter: 'skip' | 'parse';
}

const ID = '"eventID":"0b1f2c3d-0000-4000-8000-00000000000a"';
const TIME = '"eventTime":"2025-11-03T10:00:00Z"';

export const PREFILTER_FIXTURES: readonly PrefilterFixture[] = [
  {
    description: 'an EC2 DescribeInstances call',
    text: `{"eventVersion":"1.08",${TIME},"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances",${ID}}`,
    prefilter: 'skip',
  },
  {
    description: 'the relevant event name written wholly as \\u escapes',
    text: String.raw`{"eventVersion":"1.08",${TIME},"eventSource":"sts.amazonaws.com","eventName":"\u0041\u0073\u0073\u0075\u006d\u0065\u0052\u006f\u006c\u0065\u0057\u0069\u0074\u0068\u0057\u0065\u0062\u0049\u0064\u0065\u006e\u0074\u0069\u0074\u0079",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'the relevant event name with one escaped letter (upper-case hex)',
    text: String.raw`{"eventVersion":"1.08",${TIME},"eventName":"AssumeRoleWith\u0057ebIdentity",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'the key eventSource spelled with an escape, the value s3',
    text: String.raw`{"eventVersion":"1.08",${TIME},"event\u0053ource":"s3.amazonaws.com","eventName":"GetObject",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'an escaped solidus in an unrelated key: any escaped top-level key may spell a field',
    text: String.raw`{"eventVersion":"1.08","a\/b":1,"eventSource":"kms.amazonaws.com","eventName":"Decrypt",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'escapes inside unrelated values decide nothing',
    text: String.raw`{"eventVersion":"1.08","userAgent":"a\"b\\c\u00e9","requestParameters":{"eventName":"AssumeRoleWithWebIdentity"},"eventSource":"kms.amazonaws.com","eventName":"Decrypt",${ID}}`,
    prefilter: 'skip',
  },
  {
    description: 'an escaped nested key may spell federatedProvider (a session call is tested nested): parse',
    text: String.raw`{"eventVersion":"1.08","requestParameters":{"event\u004eame":"AssumeRoleWithWebIdentity"},"eventSource":"kms.amazonaws.com","eventName":"Decrypt",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'a web-identity session calling KMS: the nested federatedProvider key means parse',
    text: `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","accessKeyId":"ASIAEXAMPLE","sessionContext":{"webIdFederationData":{"federatedProvider":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}}},"eventSource":"kms.amazonaws.com","eventName":"Decrypt",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'a session that is not federated (webIdFederationData {}) calling KMS: skipped unparsed',
    text: `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","accessKeyId":"ASIAEXAMPLE","sessionContext":{"webIdFederationData":{}}},"eventSource":"kms.amazonaws.com","eventName":"Decrypt",${ID}}`,
    prefilter: 'skip',
  },
  {
    description: 'the relevant names inside other fields (userAgent, requestParameters, a nested eventName)',
    text: `{"eventVersion":"1.08","userAgent":"AssumeRoleWithWebIdentity s3.amazonaws.com GetObject","requestParameters":{"eventName":"AssumeRoleWithWebIdentity","eventSource":"s3.amazonaws.com"},"eventSource":"ec2.amazonaws.com","eventName":"DescribeVolumes",${ID}}`,
    prefilter: 'skip',
  },
  {
    description: 'keys in reverse order, eventCategory Data with the s3 source last',
    text: `{${ID},"eventCategory":"Data","eventName":"SomethingNew","eventSource":"s3.amazonaws.com","eventVersion":"1.09"}`,
    prefilter: 'parse',
  },
  {
    description: 'an S3 bucket-level management call',
    text: `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetBucketAcl","eventCategory":"Management",${ID}}`,
    prefilter: 'skip',
  },
  {
    description: 'a duplicate eventName: the last one wins, as in JSON.parse (relevant last)',
    text: `{"eventVersion":"1.08","eventName":"Decrypt","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity",${ID}}`,
    prefilter: 'parse',
  },
  {
    description:
      'a duplicate eventName: relevant first, overridden (the prefilter still parses: it cannot lose)',
    text: `{"eventVersion":"1.08","eventName":"AssumeRoleWithWebIdentity","eventSource":"sts.amazonaws.com","eventName":"Decrypt",${ID}}`,
    prefilter: 'parse',
  },
  {
    description:
      'AssumeRoleWithWebIdentity before another source: parsed (it may match until the source is read)',
    text: `{"eventVersion":"1.08","eventName":"AssumeRoleWithWebIdentity","eventSource":"iam.amazonaws.com",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'AssumeRoleWithWebIdentity without an eventSource (the normalizer takes it)',
    text: `{"eventVersion":"1.08","eventName":"AssumeRoleWithWebIdentity",${TIME}}`,
    prefilter: 'parse',
  },
  {
    description: 'AssumeRoleWithWebIdentity from another source',
    text: `{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"AssumeRoleWithWebIdentity",${ID}}`,
    prefilter: 'skip',
  },
  {
    description: 'AssumeRoleWithWebIdentity with a null eventSource (present, not absent)',
    text: `{"eventVersion":"1.08","eventSource":null,"eventName":"AssumeRoleWithWebIdentity",${ID}}`,
    prefilter: 'skip',
  },
  {
    description: 'an irrelevant record without eventID, eventTime or eventSource',
    text: '{"eventVersion":"1.08","eventName":"Decrypt"}',
    prefilter: 'skip',
  },
  {
    description: 'whitespace of every kind JSON allows, between every token',
    text: ` {\t"eventVersion"\r\n:\n"1.08" ,"eventSource" : "kms.amazonaws.com"\t,\n"eventName":"Decrypt" , "n" : [ 1 , -0.5e+3 , true , false , null , { } , [ ] ] }\n`,
    prefilter: 'skip',
  },
  {
    description: 'invalid JSON: a trailing comma',
    text: '{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt",}',
    prefilter: 'parse',
  },
  {
    description: 'invalid JSON: a leading zero',
    text: '{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt","n":01}',
    prefilter: 'parse',
  },
  {
    description: 'invalid JSON: a raw tab inside a string',
    text: '{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt","userAgent":"a\tb"}',
    prefilter: 'parse',
  },
  {
    description: 'invalid JSON: a bad escape',
    text: String.raw`{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt","userAgent":"\x41"}`,
    prefilter: 'parse',
  },
  {
    description: 'invalid JSON: a short \\u escape',
    text: String.raw`{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt","userAgent":"\u41"}`,
    prefilter: 'parse',
  },
  {
    description: 'invalid JSON: a missing colon',
    text: '{"eventVersion":"1.08","eventSource" "kms.amazonaws.com","eventName":"Decrypt"}',
    prefilter: 'parse',
  },
  {
    description: 'invalid JSON: a mismatched bracket',
    text: '{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt","x":[1}}',
    prefilter: 'parse',
  },
  {
    description: 'invalid JSON: a misspelled literal',
    text: '{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt","x":tru}',
    prefilter: 'parse',
  },
  {
    description: 'not an object: an array element',
    text: '["eventVersion","1.08"]',
    prefilter: 'parse',
  },
  {
    description: 'a lone surrogate escape elsewhere is valid JSON',
    text: String.raw`{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"Decrypt","x":"\ud800"}`,
    prefilter: 'skip',
  },
  {
    description: 'non-ASCII characters in the event name',
    text: '{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetÖbject"}',
    prefilter: 'skip',
  },
  {
    description: 'relevant, then a raw control character in a later string (JSON.parse rejects it)',
    // The template literal turns \u0001 into the raw character.
    text: `{"eventVersion":"1.08",${TIME},"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","userAgent":"a\u0001b",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'relevant, then a closer of the wrong kind',
    text: `{"eventVersion":"1.08",${TIME},"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","resources":[{"ARN":"x"]],${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'relevant, then a string that ends with a brace (where the framer looks for a resync)',
    text: `{"eventVersion":"1.08",${TIME},"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","userAgent":"curl {",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'relevant, then a later duplicate eventName that is not (the full path decides)',
    text: `{"eventVersion":"1.08",${TIME},"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","eventName":"Decrypt",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'relevant, then escaped quotes and backslashes in later strings',
    text: String.raw`{"eventVersion":"1.08",${TIME},"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","userAgent":"a"b\","x":"\"}",${ID}}`,
    prefilter: 'parse',
  },
  {
    description: 'relevant, then a string never closed',
    text: `{"eventVersion":"1.08",${TIME},"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","userAgent":"open,${ID}}`,
    prefilter: 'parse',
  },
];
