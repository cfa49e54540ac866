import fc from 'fast-check';
import { CLOUDTRAIL_NORMALIZERS, CLOUDTRAIL_RELEVANCE } from './normalize-record.js';
import { isRelevant, relevanceFields } from './relevance.js';

describe('CLOUDTRAIL_RELEVANCE', () => {
  it('is exactly what the CloudTrail normalizers match, for any values of its fields', () => {
    const fields = relevanceFields(CLOUDTRAIL_RELEVANCE);
    const named = CLOUDTRAIL_RELEVANCE.anyOf.flatMap((clause) => clause.flatMap((test) => test.oneOf));
    const value = fc.oneof(fc.constantFrom(...named), fc.jsonValue({ maxDepth: 1 }));
    const record = fc.dictionary(fc.constantFrom(...fields, 'eventVersion', 'userAgent'), value);
    fc.assert(
      fc.property(record, (r) => {
        expect(isRelevant(r, CLOUDTRAIL_RELEVANCE)).toBe(CLOUDTRAIL_NORMALIZERS.some((n) => n.matches(r)));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the fields the normalizers test', () => {
    expect(relevanceFields(CLOUDTRAIL_RELEVANCE).sort()).toEqual([
      'eventCategory',
      'eventName',
      'eventSource',
    ]);
  });
});
