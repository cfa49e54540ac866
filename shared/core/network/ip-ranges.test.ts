import fc from 'fast-check';
import {
  formatIpAddress,
  formatIpPrefix,
  type IpAddress,
  parseIpAddress,
  parseIpPrefix,
} from './ip-address.js';
import { ipRanges, NO_RANGES, preferred, type RangeEntry, type RangeMatch } from './ip-ranges.js';

const v4 = fc.integer({ min: 0, max: 0xffffffff }).map((value): IpAddress => ({ family: 4, value }));
const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value): IpAddress => ({ family: 6, value }));
const anyAddress = fc.oneof(v4, v6);

/** Within 198.51.0.0/16 and 2001:db8::/32, so random prefixes overlap and nest often. */
const nearV4 = fc
  .integer({ min: 0, max: 0xffff })
  .map((low): IpAddress => ({ family: 4, value: 0xc6330000 + low }));
const nearV6 = fc
  .bigInt({ min: 0n, max: (1n << 24n) - 1n })
  .map((low): IpAddress => ({ family: 6, value: (0x20010db8n << 96n) | (low << 80n) }));
const near = fc.oneof(nearV4, nearV6);

const matchArb: fc.Arbitrary<RangeMatch> = fc.record({
  provider: fc.constantFrom('aws', 'gcp', 'github-actions'),
  region: fc.constantFrom(null, 'us-east-1', 'eu-west-1'),
  service: fc.constantFrom(null, 'AMAZON', 'EC2', 'actions'),
});

const entryArb: fc.Arbitrary<RangeEntry> = fc
  .tuple(near, fc.integer({ min: 0, max: 128 }), matchArb)
  .map(([address, bits, match]) => {
    const length = address.family === 4 ? bits % 33 : bits;
    // The unmasked address: the entry's host bits stay set, as AWS's own example has them.
    return { ...match, prefix: `${formatIpAddress(address)}/${length}` };
  });

/** The lookup by definition: every entry holding the address, longest first, ties as ipRanges breaks them. */
function naiveMatch(entries: readonly RangeEntry[], text: string): RangeMatch | null {
  const address = parseIpAddress(text);
  if (address === null) return null;
  let best: { length: number; match: RangeMatch } | null = null;
  for (const entry of entries) {
    const prefix = parseIpPrefix(entry.prefix)!;
    if (prefix.family !== address.family) continue;
    const mask =
      prefix.family === 4
        ? BigInt(prefix.length === 0 ? 0 : (0xffffffff << (32 - prefix.length)) >>> 0)
        : ((1n << BigInt(prefix.length)) - 1n) << BigInt(128 - prefix.length);
    if ((BigInt(address.value) & mask) !== BigInt(prefix.value)) continue;
    const match = { provider: entry.provider, region: entry.region, service: entry.service };
    if (
      best === null ||
      prefix.length > best.length ||
      (prefix.length === best.length && preferred(best.match, match))
    ) {
      best = { length: prefix.length, match };
    }
  }
  return best?.match ?? null;
}

describe('ipRanges', () => {
  const entries: RangeEntry[] = [
    { prefix: '52.94.0.0/16', provider: 'aws', region: 'us-east-1', service: 'AMAZON' },
    { prefix: '52.94.76.0/22', provider: 'aws', region: 'us-west-2', service: 'AMAZON' },
    { prefix: '52.94.76.0/22', provider: 'aws', region: 'us-west-2', service: 'EC2' },
    { prefix: '2600:1f14::/35', provider: 'aws', region: 'us-west-2', service: 'EC2' },
    { prefix: '34.80.0.0/15', provider: 'gcp', region: 'asia-east1', service: 'Google Cloud' },
    { prefix: '4.148.0.0/16', provider: 'github-actions', region: null, service: 'actions' },
  ];
  const ranges = ipRanges(entries);

  it('finds the longest prefix that holds an address, and its service over AMAZON', () => {
    expect(ranges.match('52.94.77.9')).toEqual({ provider: 'aws', region: 'us-west-2', service: 'EC2' });
    expect(ranges.match('52.94.1.1')).toEqual({ provider: 'aws', region: 'us-east-1', service: 'AMAZON' });
    expect(ranges.match('34.81.255.255')?.provider).toBe('gcp');
    expect(ranges.match('4.148.3.4')).toEqual({
      provider: 'github-actions',
      region: null,
      service: 'actions',
    });
  });

  it('reads IPv6, IPv4-mapped IPv6 as IPv4, and nothing else', () => {
    expect(ranges.match('2600:1F14:0FFF::1')?.region).toBe('us-west-2');
    expect(ranges.match('::ffff:52.94.77.9')?.service).toBe('EC2');
    expect(ranges.match('2600:1f15::1')).toBeNull();
    for (const text of ['', 's3.amazonaws.com', 'AWS Internal', '52.94.1', '52.94.1.1.1', '0x34.94.1.1']) {
      expect(ranges.match(text)).toBeNull();
    }
  });

  it('is empty without entries', () => {
    expect(ipRanges([])).toBe(NO_RANGES);
    expect(NO_RANGES.match('52.94.77.9')).toBeNull();
  });

  it('an address inside a random prefix matches it', () => {
    fc.assert(
      fc.property(anyAddress, fc.integer({ min: 0, max: 128 }), matchArb, (address, bits, match) => {
        const length = address.family === 4 ? bits % 33 : bits;
        const prefix = `${formatIpAddress(address)}/${length}`;
        const table = ipRanges([{ ...match, prefix }]);
        expect(table.match(formatIpAddress(address))).toEqual(match);
        // The prefix as written and its masked form are the same prefix.
        expect(formatIpPrefix(parseIpPrefix(prefix)!)).toBe(
          formatIpPrefix(parseIpPrefix(formatIpPrefix(parseIpPrefix(prefix)!))!),
        );
      }),
    );
  });

  it('agrees with a linear scan on random ranges and addresses', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 40 }),
        fc.array(near, { maxLength: 20 }),
        (list, addresses) => {
          const table = ipRanges(list);
          for (const address of addresses) {
            const text = formatIpAddress(address);
            expect(table.match(text)).toEqual(naiveMatch(list, text));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
