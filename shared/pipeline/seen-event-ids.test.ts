import fc from 'fast-check';
import { SeenEventIds } from './seen-event-ids.js';

/** Ids as they come: CloudTrail's UUIDs, the same UUIDs spelled otherwise, GCP's ids, anything. */
const eventId = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  fc.uuid().map((id) => id.toUpperCase()),
  fc.uuid().map((id) => `${id} `),
  fc.uuid().map((id) => id.replaceAll('-', '')),
  fc.stringMatching(/^[0-9a-f-]{36}$/),
  fc.string(),
);

describe('SeenEventIds', () => {
  it('answers as a Set of the strings would, for any ids in any order, repeated or not', () => {
    fc.assert(
      fc.property(fc.array(eventId, { maxLength: 300 }), fc.array(fc.nat()), (ids, repeats) => {
        const sequence = [...ids, ...repeats.map((k) => ids[k % Math.max(1, ids.length)] ?? '')];
        const seen = new SeenEventIds();
        const reference = new Set<string>();
        for (const id of sequence) {
          const isNew = !reference.has(id);
          reference.add(id);
          expect(seen.add(id)).toBe(isNew);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every id as the table grows', () => {
    const seen = new SeenEventIds();
    const ids = Array.from(
      { length: 5000 },
      (_, k) => `${k.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
    );
    expect(ids.every((id) => seen.add(id))).toBe(true);
    expect(ids.some((id) => seen.add(id))).toBe(false);
    expect(seen.add('00000000-0000-4000-8000-000000000001')).toBe(true);
  });
});
