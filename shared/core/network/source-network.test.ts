import fc from 'fast-check';
import { formatIpAddress, type IpAddress } from './ip-address.js';
import { ipRanges, NO_RANGES } from './ip-ranges.js';
import { type SourceNetwork, sameNetwork, sourceNetwork } from './source-network.js';

const ranges = ipRanges([
  { prefix: '52.94.0.0/16', provider: 'aws', region: 'us-east-1', service: 'EC2' },
  { prefix: '3.5.0.0/16', provider: 'aws', region: 'eu-west-1', service: 'EC2' },
  { prefix: '15.0.0.0/8', provider: 'aws', region: null, service: 'AMAZON' },
  { prefix: '4.148.0.0/16', provider: 'github-actions', region: null, service: 'actions' },
  { prefix: '20.1.0.0/16', provider: 'github-actions', region: null, service: 'actions' },
  { prefix: '2a01:111::/32', provider: 'github-actions', region: null, service: 'actions' },
  { prefix: '34.80.0.0/15', provider: 'gcp', region: 'asia-east1', service: 'Google Cloud' },
]);
const at = (ip: string | null) => sourceNetwork(ip, ranges);

describe('sourceNetwork', () => {
  it('reads an address, its block and its published range', () => {
    expect(at(' 203.0.113.7 ')).toEqual({
      kind: 'address',
      address: '203.0.113.7',
      block: '203.0.113.0/24',
      range: null,
    });
    expect(at('2001:DB8:1:ff::7')).toEqual({
      kind: 'address',
      address: '2001:db8:1:ff::7',
      block: '2001:db8:1::/48',
      range: null,
    });
    expect(at('::ffff:52.94.3.4')).toEqual({
      kind: 'address',
      address: '52.94.3.4',
      block: '52.94.3.0/24',
      range: { provider: 'aws', region: 'us-east-1', service: 'EC2' },
    });
    expect(at('2a01:111:f00::1')).toMatchObject({ range: { provider: 'github-actions' } });
  });

  it('takes the calls AWS services make for the user as services, not networks', () => {
    for (const text of [
      's3.amazonaws.com',
      'lambda.amazonaws.com',
      'cloudformation.amazonaws.com',
      's3.cn-north-1.amazonaws.com.cn',
      'AWS Internal',
      'aws internal',
      'AWS Internal/3',
    ]) {
      expect(at(text)).toEqual({ kind: 'service', service: text });
    }
  });

  it('leaves nothing, placeholders and look-alikes unknown', () => {
    for (const [text, seen] of [
      [null, ''],
      ['', ''],
      ['  ', ''],
      ['gce-internal-ip', 'gce-internal-ip'],
      ['private', 'private'],
      ['(calling IP)', '(calling IP)'],
      ['x.x.x.x', 'x.x.x.x'],
      ['amazonaws.com.evil.example', 'amazonaws.com.evil.example'],
      ['203.0.113', '203.0.113'],
    ] as const) {
      expect(at(text)).toEqual({ kind: 'unknown', text: seen });
    }
  });
});

describe('sameNetwork', () => {
  it('one /24 or /48 is one network, whatever the ranges', () => {
    expect(sameNetwork(at('203.0.113.7'), at('203.0.113.250'))).toBe(true);
    expect(sameNetwork(at('203.0.113.7'), at('203.0.114.7'))).toBe(false);
    expect(sameNetwork(at('2001:db8:1:1::1'), at('2001:db8:1:ffff::9'))).toBe(true);
    expect(sameNetwork(at('2001:db8:1::1'), at('2001:db8:2::1'))).toBe(false);
    expect(sameNetwork(at('::ffff:203.0.113.7'), at('203.0.113.8'))).toBe(true);
  });

  it("a provider's ranges are one network: GitHub's runners rotate, a cloud's region must agree when both are known", () => {
    expect(sameNetwork(at('4.148.1.1'), at('20.1.9.9'))).toBe(true);
    expect(sameNetwork(at('4.148.1.1'), at('2a01:111::5'))).toBe(true);
    expect(sameNetwork(at('52.94.1.1'), at('52.94.200.1'))).toBe(true);
    expect(sameNetwork(at('52.94.1.1'), at('3.5.1.1'))).toBe(false);
    expect(sameNetwork(at('52.94.1.1'), at('15.1.1.1'))).toBe(true);
    expect(sameNetwork(at('52.94.1.1'), at('34.80.1.1'))).toBe(false);
    expect(sameNetwork(at('4.148.1.1'), at('198.51.100.7'))).toBe(false);
  });

  it('is undecidable when either side is a service or unknown', () => {
    const address = at('203.0.113.7');
    for (const other of [at('s3.amazonaws.com'), at('AWS Internal'), at(null), at('gce-internal-ip')]) {
      expect(sameNetwork(address, other)).toBeNull();
      expect(sameNetwork(other, address)).toBeNull();
      expect(sameNetwork(other, other)).toBeNull();
    }
  });

  const v4 = fc
    .integer({ min: 0, max: 0xffffffff })
    .map((value): IpAddress & { family: 4 } => ({ family: 4, value }));
  const v6 = fc
    .bigInt({ min: 0n, max: (1n << 128n) - 1n })
    .map((value): IpAddress & { family: 6 } => ({ family: 6, value }));
  /** Addresses that often fall in the ranges above. */
  const published = fc.constantFrom('52.94', '3.5', '15.2', '4.148', '20.1', '34.80', '34.81', '203.0');
  const v4Near = fc
    .tuple(published, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
    .map(([head, c, d]) => `${head}.${c}.${d}`);
  const networks: fc.Arbitrary<SourceNetwork> = fc.oneof(
    v4.map((address) => at(formatIpAddress(address))),
    v6.map((address) => at(formatIpAddress(address))),
    v4Near.map(at),
    fc.constantFrom('s3.amazonaws.com', 'AWS Internal', '', 'gce-internal-ip').map(at),
  );

  it('is symmetric, and reflexive for addresses', () => {
    fc.assert(
      fc.property(networks, networks, (a, b) => {
        expect(sameNetwork(a, b)).toBe(sameNetwork(b, a));
        expect(sameNetwork(a, a)).toBe(a.kind === 'address' ? true : null);
      }),
    );
  });

  it('any two addresses in one /24 (or /48) are one network', () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 255 }), (address, last) => {
        const other = { family: 4 as const, value: ((address.value & 0xffffff00) >>> 0) + last };
        expect(sameNetwork(at(formatIpAddress(address)), at(formatIpAddress(other)))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(v6, fc.bigInt({ min: 0n, max: (1n << 80n) - 1n }), (address, low) => {
        const other = { family: 6 as const, value: ((address.value >> 80n) << 80n) | low };
        expect(sameNetwork(at(formatIpAddress(address)), at(formatIpAddress(other)))).toBe(true);
      }),
    );
  });

  it('without ranges, only the block decides', () => {
    fc.assert(
      fc.property(v4Near, v4Near, (a, b) => {
        const left = sourceNetwork(a, NO_RANGES);
        const right = sourceNetwork(b, NO_RANGES);
        expect(sameNetwork(left, right)).toBe(
          left.kind === 'address' && right.kind === 'address' && left.block === right.block,
        );
      }),
    );
  });
});
